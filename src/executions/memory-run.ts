// The in-memory run as the platform uses it (`trellis test`, `trellis run`, agent tests): the engine's
// runner (engine/memory-runner.ts) with the platform's block runner (inputs validated, yields checked) and a
// silent logger unless the caller gives its own, the platform's secret scrubbing, clock and random execution ids.
// The engine itself imports no block implementation, logger or I/O.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { withAgentTools } from '../blocks/agent-tools.runner.js';
import { runValidatedBlock } from '../blocks/validated-run.js';
import { attemptSecrets } from './attempt-secrets.js';
import { compileExpressions, isReplayed, withExpressions } from './node-expressions.js';
import { realTimers } from './real-timers.js';
import { runInMemory, type MemoryRunOptions, type MemoryRunResult } from './engine/memory-runner.js';
import type { ChildRunRequest, ChildRunResult } from './engine/memory-runner.types.js';

export { ranAndNotRan } from './engine/memory-runner.js';
export type * from './engine/memory-runner.types.js';

const silent = pino({ level: 'silent' });

/** Runs `definition` to its end. Throws VALIDATION_FAILED (before running anything) for a bad request. */
export function runGraphInMemory(
  definition: AgentDefinition,
  options: MemoryRunOptions & { vars?: Record<string, unknown>; source?: string },
): Promise<MemoryRunResult> {
  const run = options.runAttempt ?? withAgentTools(runValidatedBlock, { blocks: options.blocks });
  const expressions = compileExpressions(definition, options.blocks);
  const source = options.source ?? 'cli';
  const scope = {
    vars: options.vars ?? definition.vars ?? {},
    execution: {
      id: options.executionId ?? '',
      source,
      started_at: new Date().toISOString(),
      trigger_replayed: isReplayed(source, options.trigger?.node ?? null),
    },
    trigger: options.trigger?.outputs ?? null,
  };
  return runInMemory(definition, {
    ...options,
    runAttempt: withExpressions(run, expressions, scope),
    logger: options.logger ?? silent,
    secrets: attemptSecrets,
    newExecutionId: randomUUID,
    clock: realTimers,
  });
}

/**
 * `runChild` for in-memory runs: a child execution runs the named agent of `agents` in memory, with the
 * parent's `shared` options, its own children likewise. `missing` says what to do about an unknown name.
 */
export function agentChildRunner(
  agents: ReadonlyMap<string, AgentDefinition>,
  shared: Omit<MemoryRunOptions, 'inputs' | 'onEvent'>,
  missing: (agent: string) => string,
): (request: ChildRunRequest) => Promise<ChildRunResult> {
  const runChild = async (request: ChildRunRequest): Promise<ChildRunResult> => {
    const child = agents.get(request.agent);
    if (!child) throw new Error(missing(request.agent));
    const result = await runGraphInMemory(child, { ...shared, inputs: request.inputs, depth: request.depth, signal: request.signal, runChild });
    return { status: result.status, outputs: result.outputs, error: result.error };
  };
  return runChild;
}
