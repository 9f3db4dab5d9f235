// "Look at execution X" on the durable queue `executions` (src/queue: BullMQ or durable_jobs). A waiting
// job per execution (dedupe key: the execution id; delayed wake-ups add their due time, so an earlier
// wake is never swallowed by a later one). Postgres, not the queue, remembers what ran.
import type { DurableQueue } from '../../queue/durable-queue.types.js';
import { dispatchJobId, type DispatchHandler, type ExecutionDispatcher } from './execution-dispatcher.js';

export interface DispatchJob {
  execution_id: string;
}

export class QueueDispatcher implements ExecutionDispatcher {
  readonly mode: 'bullmq' | 'in-process';

  constructor(private readonly queue: DurableQueue<DispatchJob>) {
    this.mode = queue.driver === 'bullmq' ? 'bullmq' : 'in-process';
  }

  async dispatch(executionId: string, delayMs = 0): Promise<void> {
    const delayed = delayMs > 0;
    await this.queue.enqueue({ execution_id: executionId }, { delayMs, dedupeKey: dispatchJobId(executionId, delayed ? Date.now() + delayMs : undefined) });
  }

  dispatchMany(executionIds: readonly string[]): Promise<void> {
    return this.queue.enqueueMany(executionIds.map((id) => ({ data: { execution_id: id }, options: { dedupeKey: dispatchJobId(id) } })));
  }

  consume(handler: DispatchHandler, concurrency: number): Promise<void> {
    return this.queue.consume((job) => handler(String(job.data.execution_id)), { concurrency });
  }

  stopConsuming(): Promise<void> {
    return this.queue.stop();
  }

  depth(): Promise<number> {
    return this.queue.depth();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
