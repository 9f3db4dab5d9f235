// A BullMQ prefix of its own per test file, so files sharing one Redis never see each other's jobs.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testQueuePrefix(label = 'q'): string {
  return `trellis-test-${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix (call in afterAll). */
export async function clearQueuePrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
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
