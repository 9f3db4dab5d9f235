// The DurableQueue contract against real Redis, under a BullMQ prefix of its own: each queue opened here
// has connections of its own, so that `crash` can cut one consumer off Redis as a killed process would be.
import pino from 'pino';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/common/redis.js';
import { BullMqQueue } from '../../src/queue/bullmq-queue.js';
import { durableQueueContract, type TestJob } from '../../src/queue/durable-queue.contract.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from '../helpers/queue.js';

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
      const mine: Redis[] = [];
      const own = () => {
        const redis = connect();
        mine.push(redis);
        return redis;
      };
      const queue = new BullMqQueue<TestJob>(name, { connection: own(), workerConnection: own, prefix }, { leaseMs: LEASE_MS, maxAttempts: 3 }, pino({ level: 'silent' }));
      return {
        queue,
        crash: async () => {
          for (const redis of mine) redis.disconnect();
        },
      };
    },
    async teardown() {
      await Promise.all(connections.map((redis) => (redis.status === 'end' ? undefined : redis.quit().catch(() => redis.disconnect()))));
      await clearQueuePrefix(prefix);
    },
  };
});
