// What happens once an execution ended (its final status is written): the one place that decides it.
// The parent of a child execution is woken to take the result; the next QUEUED execution of an agent with
// `concurrency` may start (FinishFollowUps: a stop through the API owes the same two); the execution-finished hook
// (notifications) runs; the metric counts it.
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

/**
 * The executions an ended one lets move, whoever ended it: the worker's final step (ExecutionFinish) or a stop
 * through the API (ExecutionsService.stop, which injects it). A dispatch that fails is only a late one: the sweep
 * finds a parent whose child ended, and a QUEUED execution, again.
 */
export class FinishFollowUps {
  constructor(private readonly ports: Pick<FinishPorts, 'dispatch' | 'nextQueued'>) {}

  /** The parent of a child execution is woken to take the result. */
  wakeParent(parentId: string): Promise<void> {
    return this.ports.dispatch(parentId).catch(() => undefined);
  }

  /** The oldest QUEUED execution of the agent may start now: a slot of its `concurrency` is free. A failed look rejects. */
  async startNextQueued(graphId: string): Promise<void> {
    const next = await this.ports.nextQueued(graphId);
    if (next) await this.ports.dispatch(next).catch(() => undefined);
  }
}

export class ExecutionFinish {
  private readonly followUps: FinishFollowUps;

  constructor(private readonly ports: FinishPorts) {
    this.followUps = new FinishFollowUps(ports);
  }

  /** `written` holds the final status just committed; nothing here is awaited by the runner. */
  finished(written: WrittenExecution, error: unknown, outputs: Record<string, unknown[]> | null): void {
    const { ports } = this;
    const status = written.status as FinalStatus;
    ports.counted(written.graph_id, status);
    if (written.parent_id) void this.followUps.wakeParent(written.parent_id);
    // Only an agent with `concurrency` has executions waiting for a slot.
    if (ports.limitsConcurrency(written.graph_id, written.graph_version)) void this.followUps.startNextQueued(written.graph_id).catch(() => undefined);
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
