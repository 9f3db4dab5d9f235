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
import { realTimers } from './real-timers.js';
import { runInMemory, type MemoryRunOptions, type MemoryRunResult } from './engine/memory-runner.js';

export { ranAndNotRan } from './engine/memory-runner.js';
export type * from './engine/memory-runner.types.js';

const silent = pino({ level: 'silent' });

/** Runs `definition` to its end. Throws VALIDATION_FAILED (before running anything) for a bad request. */
export function runGraphInMemory(definition: AgentDefinition, options: MemoryRunOptions): Promise<MemoryRunResult> {
  return runInMemory(definition, {
    ...options,
    runAttempt: options.runAttempt ?? withAgentTools(runValidatedBlock, { blocks: options.blocks }),
    logger: options.logger ?? silent,
    secrets: attemptSecrets,
    newExecutionId: randomUUID,
    clock: realTimers,
  });
}
