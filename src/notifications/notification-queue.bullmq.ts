// The notification queue on BullMQ (REDIS_URL set). Retries are ours (the delivery row counts attempts),
// so each job runs once; jobs are removed when handled.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedis } from '../common/redis.js';
import { deliveryJobId, NOTIFICATIONS_QUEUE_NAME, type DeliveryHandler, type NotificationQueue } from './notification-queue.js';

export class BullMqNotificationQueue implements NotificationQueue {
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
    this.queue = new Queue(NOTIFICATIONS_QUEUE_NAME, { connection, prefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'notifications queue: Redis error'));
  }

  async enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<void> {
    await this.queue.add('deliver', { delivery_id: deliveryId }, { jobId: deliveryJobId(deliveryId, attempt), ...(delayMs > 0 ? { delay: delayMs } : {}), removeOnComplete: true, removeOnFail: true });
  }

  async consume(handler: DeliveryHandler, concurrency: number): Promise<void> {
    this.workerConnection = createRedis(this.redisUrl);
    this.worker = new Worker(NOTIFICATIONS_QUEUE_NAME, async (job) => handler(String((job.data as { delivery_id: string }).delivery_id)), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: Math.max(1, concurrency),
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'notifications worker: Redis error'));
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.close();
    this.workerConnection?.disconnect();
    this.workerConnection = null;
    await this.queue.close();
  }
}
