// A BullMQ prefix of its own per test file, so files sharing one Redis never see each other's jobs.
import { randomBytes } from 'node:crypto';
import { deleteKeysWithPrefix } from '../../src/common/redis.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testQueuePrefix(label = 'q'): string {
  return `trellis-test-${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix (call in afterAll). */
export function clearQueuePrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  return deleteKeysWithPrefix(url, prefix);
}
