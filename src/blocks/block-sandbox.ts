// How blocks run user computation in the sandbox pool: fair to the graph (or, outside an execution, the
// user), under the configured limits, stopped with the run; and the errors every sandboxed block shares.
import { DEFAULT_SANDBOX_SETTINGS, type SandboxJob, type SandboxOutcome } from '../sandbox/sandbox.types.js';
import { runInSandbox } from '../sandbox/sandbox.js';
import type { BlockContext } from './block.types.js';
import { BlockError, BlockErrorCode } from './blocks.errors.js';

/** Per execution, the outcome delivered last (or to be): later ones wait for it. */
const deliveries = new Map<string, Promise<unknown>>();

/**
 * Runs `job` for the block run `context`; `timeoutMs` overrides sandbox.timeout (code.js). Workers run an
 * execution's evaluations in parallel, but their outcomes are delivered in the order they were asked, as
 * when they ran inline: a fan-out through a template or a query reaches the next node in item order.
 */
export function runSandboxed(job: SandboxJob, context: BlockContext, timeoutMs?: number): Promise<SandboxOutcome> {
  const key = context.graphId ? `graph:${context.graphId}` : `user:${context.userId}`;
  const outcome = runInSandbox(
    job,
    { key, signal: context.signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
    context.settings.sandbox ?? DEFAULT_SANDBOX_SETTINGS,
  );
  return inOrder(outcome, context);
}

/** `outcome`, delivered after every outcome this execution asked for before it (sandboxed or not). */
export function inOrder(outcome: Promise<SandboxOutcome>, context: BlockContext): Promise<SandboxOutcome> {
  const previous = deliveries.get(context.executionId);
  const ordered = previous ? previous.then(() => outcome) : outcome;
  deliveries.set(context.executionId, ordered);
  void ordered.then(() => deliveries.get(context.executionId) === ordered && deliveries.delete(context.executionId));
  return ordered;
}

/** The error for an outcome that is neither a result nor the block's own failure. */
export function sandboxFailure(what: string, outcome: Exclude<SandboxOutcome, { kind: 'ok' | 'error' }>, context: BlockContext): BlockError {
  const settings = context.settings.sandbox ?? DEFAULT_SANDBOX_SETTINGS;
  switch (outcome.kind) {
    case 'timeout':
      return new BlockError(
        BlockErrorCode.SANDBOX_TIMEOUT,
        `The ${what} ran longer than sandbox.timeout (${settings.timeoutMs} ms) and was stopped (an endless loop, or a huge range?). Make it do less work.`,
      );
    case 'memory':
      return new BlockError(
        BlockErrorCode.SANDBOX_MEMORY,
        `The ${what} used more than sandbox.memory (${Math.round(settings.memoryBytes / 1024 / 1024)} MiB) and was stopped. Make it build smaller values.`,
      );
    case 'too_large':
      return new BlockError(
        BlockErrorCode.VALUE_TOO_LARGE,
        `The ${what}'s result is ${outcome.bytes} bytes, more than executor.max_value_bytes (${settings.maxValueBytes} bytes). Make it yield less.`,
        { bytes: outcome.bytes, max_value_bytes: settings.maxValueBytes },
      );
    case 'cancelled':
      return new BlockError(BlockErrorCode.CANCELLED, `The ${what} was stopped because the run was stopped.`);
  }
}
