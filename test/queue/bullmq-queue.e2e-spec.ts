// The DurableQueue contract against real Redis, under a BullMQ prefix of its own; a lost consumer is a
// child process killed with SIGKILL (hung-consumer.fixture.ts).
import { afterAll, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/common/redis.js';
import { BullMqQueue } from '../../src/queue/bullmq-queue.js';
import { durableQueueContract, type TestJob } from '../../src/queue/durable-queue.contract.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from '../helpers/queue.js';
import { startHungConsumer } from './hung-consumer.js';

// A handler that threw is tried again after 100ms (1 s by default): the contract's retry needs no second of waiting.
const RETRY_BACKOFF_MS = 100;
const LEASE_MS = 600;

durableQueueContract('bullmq', () => {
  const prefix = testQueuePrefix('bullqueue');
  const connections: Redis[] = [];
  const connect = () => {
    const redis = createRedis(TEST_REDIS_URL);
    connections.push(redis);
    return redis;
  };
  return {
    leaseMs: LEASE_MS,
    async open(name) {
      return new BullMqQueue<TestJob>(
        name,
        { connection: connect(), workerConnection: connect, prefix },
        { leaseMs: LEASE_MS, maxAttempts: 3, retryBackoffMs: RETRY_BACKOFF_MS },
        pino({ level: 'silent' }),
      );
    },
    hungConsumer: (queue) => startHungConsumer({ driver: 'bullmq', queue, url: TEST_REDIS_URL, prefix, leaseMs: LEASE_MS }),
    async teardown() {
      await Promise.all(connections.map((redis) => (redis.status === 'end' ? undefined : redis.quit().catch(() => redis.disconnect()))));
      await clearQueuePrefix(prefix);
    },
  };
});

describe('BullMqQueue.repeat when replicas meet', () => {
  const prefix = testQueuePrefix('bullrepeat');
  const connections: Redis[] = [];
  const connect = () => {
    const redis = createRedis(TEST_REDIS_URL);
    connections.push(redis);
    return redis;
  };
  afterAll(async () => {
    await Promise.all(connections.map((redis) => (redis.status === 'end' ? undefined : redis.quit().catch(() => redis.disconnect()))));
    await clearQueuePrefix(prefix);
  });

  it('retries an upsert whose next fire time meets a job it cannot replace, and says so when the schedule is still not in place', async () => {
    const name = 'yearly';
    const queue = new BullMqQueue<TestJob>(
      name,
      { connection: connect(), workerConnection: connect, prefix },
      { leaseMs: LEASE_MS, maxAttempts: 3, retryBackoffMs: RETRY_BACKOFF_MS },
      pino({ level: 'silent' }),
    );
    const schedule = { cron: '0 0 1 1 *', timezone: 'UTC' };
    const next = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
    // A job under the id of the next fire's iteration, running (a stale scheduler's left over, say).
    const raw = new Queue(name, { connection: connect(), prefix });
    await raw.add('fire', { n: 0 }, { jobId: `repeat:new-year:${next}` });
    const worker = new Worker(name, null, { connection: connect(), prefix });
    expect((await worker.getNextJob('replica-a'))?.id).toBe(`repeat:new-year:${next}`);
    const started = Date.now();
    await expect(queue.repeat('new-year', schedule, { n: 1 })).rejects.toMatchObject({ code: -10 });
    // One retry, after a pause: the second upsert was tried too.
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(await queue.repeatKeys()).toEqual([]);
    // Another key is not affected.
    await queue.repeat('other', schedule, { n: 1 });
    expect(await queue.repeatKeys()).toEqual(['other']);
    await worker.close();
    await raw.close();
    await queue.close();
  });

  it('lets a replica upsert a schedule already in place while another replica runs its next iteration', async () => {
    const name = 'yearly-in-place';
    const replica = () =>
      new BullMqQueue<TestJob>(
        name,
        { connection: connect(), workerConnection: connect, prefix },
        { leaseMs: LEASE_MS, maxAttempts: 3, retryBackoffMs: RETRY_BACKOFF_MS },
        pino({ level: 'silent' }),
      );
    const [first, second] = [replica(), replica()];
    const schedule = { cron: '0 0 1 1 *', timezone: 'UTC' };
    const next = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
    await first.repeat('new-year', schedule, { n: 1 });
    // The next iteration's job, brought forward and taken by a worker: it is running when the second replica starts.
    const raw = new Queue(name, { connection: connect(), prefix });
    const iteration = await raw.getJob(`repeat:new-year:${next}`);
    expect(iteration).toBeDefined();
    await iteration!.promote();
    const worker = new Worker(name, null, { connection: connect(), prefix });
    expect((await worker.getNextJob('replica-a'))?.id).toBe(`repeat:new-year:${next}`);
    await expect(second.repeat('new-year', schedule, { n: 1 })).resolves.toBeUndefined();
    expect(await second.repeatKeys()).toEqual(['new-year']);
    const scheduler = await raw.getJobScheduler('new-year');
    expect(scheduler).toMatchObject({ pattern: '0 0 1 1 *', tz: 'UTC' });
    await worker.close();
    await raw.close();
    await Promise.all([first.close(), second.close()]);
  });
});
