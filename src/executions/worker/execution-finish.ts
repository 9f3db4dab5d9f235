// What happens once an execution ended (its final status is written): the one place that decides it.
// The parent of a child execution is woken to take the result; the next QUEUED execution of an agent with
// `concurrency` may start; the execution-finished hook (notifications) runs; the metric counts it.
import type { Logger } from 'pino';
import type { ExecutionError } from '../engine/engine.errors.js';
import type { FinalStatus } from '../engine/engine.types.js';
import type { ExecutionFinishedHook } from '../execution.hooks.js';
import type { WrittenExecution } from './execution-store.repository.js';

export interface FinishPorts {
  dispatch(executionId: string): Promise<void>;
  /** The oldest QUEUED execution of an agent. */
  nextQueued(graphId: string): Promise<string | null>;
  /** Whether the agent limits its executions (`concurrency`); unknown: true. */
  limitsConcurrency(graphId: string, version: number): boolean;
  hook: ExecutionFinishedHook;
  counted(agent: string, status: FinalStatus): void;
  logger: Logger;
}

export class ExecutionFinish {
  constructor(private readonly ports: FinishPorts) {}

  /** `written` holds the final status just committed; nothing here is awaited by the runner. */
  finished(written: WrittenExecution, error: unknown, outputs: Record<string, unknown[]> | null): void {
    const { ports } = this;
    const status = written.status as FinalStatus;
    ports.counted(written.graph_id, status);
    if (written.parent_id) void ports.dispatch(written.parent_id).catch(() => undefined);
    // The next QUEUED execution of an agent with `concurrency` may start now (others never wait for a slot).
    if (ports.limitsConcurrency(written.graph_id, written.graph_version)) {
      void ports
        .nextQueued(written.graph_id)
        .then(async (next) => {
          if (next) await ports.dispatch(next);
        })
        .catch(() => undefined);
    }
    void ports.hook
      .finished({
        id: written.id,
        graph_id: written.graph_id,
        graph_version: written.graph_version,
        user_id: written.user_id,
        parent_id: written.parent_id,
        status,
        error: error as ExecutionError | null,
        outputs,
      })
      .catch((e: unknown) => ports.logger.warn({ err: e, execution_id: written.id }, 'an execution-finished hook failed'));
  }
}
