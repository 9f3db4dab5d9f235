import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';

// ioredis (a CommonJS package, the same module whichever way it is loaded) loads with the first connection: a
// server without REDIS_URL never needs it, nor BullMQ, which needs it (bullmq-queue.ts), ~360 modules together.
const require = createRequire(import.meta.url);

/** Injection token: the shared ioredis client, or null in the in-process mode (REDIS_URL unset). */
export const REDIS = Symbol('REDIS');

/** BullMQ needs `maxRetriesPerRequest: null`; every Redis connection of ours is made here. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const ioredis = require('ioredis') as typeof IoRedis;
  return new ioredis.Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
}

/** ioredis states after a connection was lost: a command would wait in the offline queue until Redis is back. */
const LOST = new Set(['reconnecting', 'close', 'end']);

/** True while the connection is lost: request paths answer without Redis instead of waiting for it. */
export function isRedisLost(redis: Pick<Redis, 'status'>): boolean {
  return LOST.has(redis.status);
}

/**
 * `command`, or a rejection after `ms`: a Redis that stopped answering (hung, or gone with the command in
 * flight, which ioredis resends only after reconnecting) must not hold the request that asked.
 */
export async function withinRedisDeadline<T>(command: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer ${what} within ${ms} ms`)), ms);
  });
  command.catch(() => undefined);
  try {
    return await Promise.race([command, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Deletes every key under `<prefix>:` (a test file's or a bench run's BullMQ prefix), in SCAN batches. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  const redis = createRedis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
