import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import request from 'supertest';
import { REDIS } from '../../src/common/redis.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { clearQueuePrefix, TEST_REDIS_URL } from '../helpers/queue.js';
import { RateLimiter } from '../../src/auth/rate-limiter.js';
import { ADMIN_KEY, makeUser } from './auth-helpers.js';

const LIMITS = { auth: { rate_limit: { per_key: '3/min', per_ip: '3/min' } } };

function expect429(res: request.Response, what: 'key' | 'address') {
  expect(res.status).toBe(429);
  const seconds = Number(res.headers['retry-after']);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(res.body.error).toEqual({
    code: 'RATE_LIMITED',
    message: expect.stringContaining(`Retry after ${seconds} second`),
    details: { retry_after_seconds: seconds },
    request_id: expect.any(String),
  });
  expect(res.body.error.message).toContain(what === 'key' ? 'auth.rate_limit.per_key' : 'auth.rate_limit.per_ip');
}

for (const mode of ['memory', 'redis'] as const) {
  describe(`rate limits counted in ${mode}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      // The admin key makes the users before the limits are tight enough to matter: it has its own bucket.
      t = await createTestApp({ label: `rl${mode}`, redis: mode === 'redis', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY }, overrides: LIMITS });
    });
    afterAll(() => t.close());

    it('answers 429 with Retry-After past the per-key limit, for that key only', async () => {
      const ada = await makeUser(t, 'ada');
      const bob = await makeUser(t, 'bob');
      for (let i = 0; i < 3; i++) await request(t.http).get('/api/user').set('X-API-Key', ada.key).expect(200);
      expect429(await request(t.http).get('/api/user').set('X-API-Key', ada.key), 'key');
      await request(t.http).get('/api/user').set('X-API-Key', bob.key).expect(200);
    });

    it('limits requests without credentials per source address, failed attempts included', async () => {
      await request(t.http).get('/api/user').expect(401);
      await request(t.http)
        .get('/api/user')
        .set('X-API-Key', `trl_${'B'.repeat(43)}`)
        .expect(401);
      await request(t.http).get('/api/user').set('Authorization', 'Bearer nonsense').expect(401);
      expect429(await request(t.http).get('/api/user'), 'address');
      // Valid credentials are counted per key, not per address.
      await request(t.http).get('/api/user').set('X-API-Key', ADMIN_KEY).expect(200);
    });

    it('never limits routes outside /api', async () => {
      for (let i = 0; i < 5; i++) await request(t.http).get('/health').expect(200);
    });
  });
}

describe('rate limits shared through Redis by several api processes', () => {
  const prefix = `trellis-test-rlshared-${randomBytes(4).toString('hex')}`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const options = { redis: true, env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_QUEUE_PREFIX: prefix }, overrides: LIMITS };
    [a, b] = await Promise.all([createTestApp({ ...options, label: 'rlshareda' }), createTestApp({ ...options, label: 'rlsharedb' })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await clearQueuePrefix(prefix);
  });

  it('counts the hits of one turn with one Redis command, each hit in its own place of the shared count', async () => {
    const limiter = a.app.get(RateLimiter);
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const sent = (a.app.get(REDIS) as Redis).evalsha.bind(a.app.get(REDIS) as Redis);
    let commands = 0;
    (a.app.get(REDIS) as Redis).evalsha = ((...args: Parameters<Redis['evalsha']>) => (commands++, sent(...args))) as Redis['evalsha'];
    try {
      const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.hit('caller:one-turn', { limit: 3, windowMs: 60_000 })));
      expect(decisions.map((d) => [d.count, d.allowed])).toEqual([
        [1, true],
        [2, true],
        [3, true],
        [4, false],
        [5, false],
      ]);
      expect(commands).toBe(1);
      expect(await redis.get(`${prefix}:ratelimit:caller:one-turn`)).toBe('5');
    } finally {
      (a.app.get(REDIS) as Redis).evalsha = sent;
      redis.disconnect();
    }
  });

  it('counts one key across processes, in a Redis key that expires', async () => {
    await request(a.http).get('/api/user').set('X-API-Key', ADMIN_KEY).expect(200);
    await request(b.http).get('/api/user').set('X-API-Key', ADMIN_KEY).expect(200);
    await request(a.http).get('/api/user').set('X-API-Key', ADMIN_KEY).expect(200);
    expect429(await request(b.http).get('/api/user').set('X-API-Key', ADMIN_KEY), 'key');
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    try {
      const key = `${prefix}:ratelimit:caller:admin-key`;
      expect(await redis.get(key)).toBe('4');
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
    }
  });
});
