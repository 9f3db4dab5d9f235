// How "look at execution X" reaches a worker: BullMQ on Redis (REDIS_URL set) or the durable_jobs table
// (in-process mode). Same semantics in both: at-least-once, deduplicated per execution while waiting,
// delayed jobs for resumes. Postgres stays the truth; a lost dispatch is found again by the sweep.

export type DispatchHandler = (executionId: string) => Promise<void>;

export interface ExecutionDispatcher {
  readonly mode: 'bullmq' | 'in-process';
  /** Asks a worker to look at the execution (after `delayMs`). Throws when the queue is unreachable. */
  dispatch(executionId: string, delayMs?: number): Promise<void>;
  /** Asks a worker to look at each, in one round trip to the queue (a group of webhooks). Throws like dispatch. */
  dispatchMany(executionIds: readonly string[]): Promise<void>;
  /** Worker side: calls `handler` for each job; the handler settles once it took or dropped the execution. */
  consume(handler: DispatchHandler, concurrency: number): Promise<void>;
  /** Stops taking jobs (shutdown); dispatching still works. */
  stopConsuming(): Promise<void>;
  /** Jobs waiting (metrics). */
  depth(): Promise<number>;
  close(): Promise<void>;
}

export const EXECUTION_DISPATCHER = Symbol('EXECUTION_DISPATCHER');

export const EXECUTIONS_QUEUE = 'executions';

/** The job id: the execution id, with the due time for delayed wake-ups (so an earlier wake is never swallowed). */
export function dispatchJobId(executionId: string, dueAt?: number): string {
  return dueAt === undefined ? executionId : `${executionId}@${dueAt}`;
}
