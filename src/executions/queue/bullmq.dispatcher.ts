// Dispatch on BullMQ (REDIS_URL set): queue "executions" under TRELLIS_QUEUE_PREFIX. A job only says "look
// at execution X" (jobId = the execution id, so a waiting job is not duplicated; delayed wake-ups carry
// their due time). Jobs are removed once handled: Postgres, not Redis, remembers what ran.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedis } from '../../common/redis.js';
import { dispatchJobId, EXECUTIONS_QUEUE, type DispatchHandler, type ExecutionDispatcher } from './execution-dispatcher.js';

export class BullMqDispatcher implements ExecutionDispatcher {
  readonly mode = 'bullmq' as const;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private workerConnection: Redis | null = null;

  constructor(
    private readonly redisUrl: string,
    connection: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue(EXECUTIONS_QUEUE, { connection, prefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'executions queue: Redis error'));
  }

  async dispatch(executionId: string, delayMs = 0): Promise<void> {
    const delayed = delayMs > 0;
    await this.queue.add(
      'look',
      { execution_id: executionId },
      { jobId: dispatchJobId(executionId, delayed ? Date.now() + delayMs : undefined), ...(delayed ? { delay: delayMs } : {}), removeOnComplete: true, removeOnFail: true },
    );
  }

  async consume(handler: DispatchHandler, concurrency: number): Promise<void> {
    this.workerConnection = createRedis(this.redisUrl);
    this.worker = new Worker(EXECUTIONS_QUEUE, async (job) => handler(String((job.data as { execution_id: string }).execution_id)), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: Math.max(1, concurrency),
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'executions worker: Redis error'));
  }

  async stopConsuming(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.close();
    this.workerConnection?.disconnect();
    this.workerConnection = null;
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await this.queue.close();
  }
}
