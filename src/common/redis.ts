import { Redis, type RedisOptions } from 'ioredis';

/** Injection token: the shared ioredis client, or null in the in-process mode (REDIS_URL unset). */
export const REDIS = Symbol('REDIS');

/** BullMQ needs `maxRetriesPerRequest: null`; every Redis connection of ours is made here. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
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
