// Runs a block once for POST /api/blocks/{id}/execute: the checked run (validated-run.ts), stopped
// promptly on abort (CANCELLED) or past its time limit (NODE_TIMEOUT), with errors as BlockErrors. Node
// attempts of executions do not come here: the engine's attempt driver owns their time limit and abort.
import { formatDuration } from '../common/units.js';
import type { BlockContext, BlockDefinition, BlockHttpClient, BlockYield } from './block.types.js';
import type { AgentLookup } from './block-validator.js';
import { asBlockError, BlockError, BlockErrorCode } from './blocks.errors.js';
import { validatedRun } from './validated-run.js';

export interface RunBlockOptions {
  /** Per-attempt time limit in ms; none when unset. */
  timeoutMs?: number;
  /** Called with each checked yield as it comes (streaming blocks deliver at once); `sequence` starts at 1. */
  onYield?: (pin: string, value: unknown, sequence: number) => void | Promise<void>;
  /** Resolves agent.run's dynamic outputs when checking yields. */
  lookup?: AgentLookup;
  /** Binds the HTTP client to the attempt's own signal, so its time limit stops requests too. */
  bindHttp?: (signal: AbortSignal) => BlockHttpClient;
}

export interface RunBlockResult {
  /** Every yielded `[pin, value]`, in order. */
  outputs: BlockYield[];
  /** The inputs as `run` saw them (defaults applied). */
  inputs: Record<string, unknown>;
}

export async function runBlock(
  block: BlockDefinition,
  rawInputs: Record<string, unknown>,
  context: BlockContext,
  options: RunBlockOptions = {},
): Promise<RunBlockResult> {
  const prepared = validatedRun(block, rawInputs, options.lookup);
  const inputs = prepared.inputs;
  if (context.signal.aborted) throw cancelled(block, context.signal.reason);

  const controller = new AbortController();
  const stop = (reason: BlockError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onOuterAbort = () => stop(cancelled(block, context.signal.reason));
  context.signal.addEventListener('abort', onOuterAbort, { once: true });
  const timer = options.timeoutMs !== undefined ? setTimeout(() => stop(timedOut(block, options.timeoutMs!)), options.timeoutMs) : undefined;
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as BlockError), { once: true });
  });
  aborted.catch(() => undefined);

  const outputs: BlockYield[] = [];
  let finished = false;
  const http = options.bindHttp ? options.bindHttp(controller.signal) : context.http;
  const generator = prepared.start({ ...context, signal: controller.signal, http });
  try {
    for (;;) {
      const step = await Promise.race([generator.next(), aborted]);
      if (step.done) {
        finished = true;
        break;
      }
      const [pin, value] = step.value;
      if (pin === 'error') throw yieldedError(block, value);
      outputs.push([pin, value]);
      await options.onYield?.(pin, value, outputs.length);
      if (controller.signal.aborted) throw controller.signal.reason as BlockError;
    }
    return { outputs, inputs };
  } catch (error) {
    // Whatever the block threw while being stopped, the reason it was stopped is the answer.
    if (controller.signal.aborted) throw controller.signal.reason as BlockError;
    throw asBlockError(block, error);
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', onOuterAbort);
    if (!finished) {
      // Lets the block's `finally` clean up; it may be mid-await, so don't wait for it.
      if (!controller.signal.aborted) controller.abort(cancelled(block, 'the run ended'));
      generator.return(undefined).catch(() => undefined);
    }
  }
}

function cancelled(block: BlockDefinition, reason: unknown): BlockError {
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'the run was stopped';
  return new BlockError(BlockErrorCode.CANCELLED, `Block ${block.id} was stopped before it finished (${why}).`, { block: block.id });
}

function timedOut(block: BlockDefinition, ms: number): BlockError {
  return new BlockError(
    BlockErrorCode.NODE_TIMEOUT,
    `Block ${block.id} ran longer than its time limit of ${formatDuration(ms)} and was stopped. Raise the node's timeout if it needs longer.`,
    { block: block.id, timeout_ms: ms },
  );
}

function yieldedError(block: BlockDefinition, value: unknown): BlockError {
  const { code, message } = value as { code: string; message: string };
  return new BlockError(code, message, { block: block.id });
}
