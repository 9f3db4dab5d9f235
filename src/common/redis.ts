import { Redis, type RedisOptions } from 'ioredis';

/** Injection token: the shared ioredis client, or null in the in-process mode (REDIS_URL unset). */
export const REDIS = Symbol('REDIS');

/** BullMQ needs `maxRetriesPerRequest: null`; every Redis connection of ours is made here. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
}
