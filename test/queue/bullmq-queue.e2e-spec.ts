// The DurableQueue contract against real Redis, under a BullMQ prefix of its own; a lost consumer is a
// child process killed with SIGKILL (hung-consumer.fixture.ts).
import pino from 'pino';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/common/redis.js';
import { BullMqQueue } from '../../src/queue/bullmq-queue.js';
import { durableQueueContract, type TestJob } from '../../src/queue/durable-queue.contract.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from '../helpers/queue.js';
import { startHungConsumer } from './hung-consumer.js';

const LEASE_MS = 1_000;

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
        { leaseMs: LEASE_MS, maxAttempts: 3 },
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
