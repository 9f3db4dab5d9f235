// Picks the driver: BullMQ when REDIS_URL is set, durable_jobs on Postgres otherwise. Each user of a queue
// (executions, notifications, schedules) names its queue and gets the same promises either way.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createRedis } from '../common/redis.js';
import type { AppConfig } from '../config/config.schema.js';
import { BullMqQueue } from './bullmq-queue.js';
import type { DurableQueue, QueueSettings } from './durable-queue.types.js';
import { PostgresQueue } from './postgres-queue.js';

export function queueSettings(config: Pick<AppConfig, 'queue'>): QueueSettings {
  return { leaseMs: config.queue.lease, maxAttempts: config.queue.max_attempts, retryBackoffMs: config.queue.retry_backoff };
}

export function createDurableQueue<T>(name: string, config: AppConfig, redis: Redis | null, dataSource: DataSource, logger: Logger): DurableQueue<T> {
  const settings = queueSettings(config);
  const redisUrl = config.redisUrl;
  if (redisUrl && redis)
    return new BullMqQueue<T>(name, { connection: redis, workerConnection: () => createRedis(redisUrl), prefix: config.queuePrefix }, settings, logger);
  return new PostgresQueue<T>(name, dataSource, settings, logger);
}
