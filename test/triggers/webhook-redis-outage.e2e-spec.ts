// Redis on the request path fails fast: with a private redis-server frozen (SIGSTOP: connections open,
// nothing answered) or killed, a webhook is still accepted (its row stored, 202; the sweep dispatches it
// later), an /api request is still counted (in this process, after at most the rate limiter's 250 ms), and
// readiness says what is wrong at once. Before, a frozen Redis held every rate-limited request forever.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { HAS_REDIS_SERVER, privateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { waitFor } from '../helpers/wait.js';
import { admin, createAgent, execution, triggersApp, webhookAgent } from './webhooks-helpers.js';

/** The status and the time a request took, in ms. */
async function timed(run: () => Promise<request.Response>): Promise<{ status: number; ms: number; body: Record<string, unknown> }> {
  const started = performance.now();
  const res = await run();
  return { status: res.status, ms: performance.now() - started, body: res.body as Record<string, unknown> };
}

(HAS_REDIS_SERVER ? describe : describe.skip)('the request path during a Redis outage', () => {
  let t: TestApp;
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = await privateRedis();
    t = await triggersApp('webhookredis', {
      redis: true,
      role: 'api',
      env: { REDIS_URL: redis.url },
      overrides: { webhooks: { rate_limit: '100000/min' } },
    });
    await createAgent(t, webhookAgent('outage-hook'));
  }, 120_000);

  afterAll(async () => {
    redis?.thaw();
    await t?.close();
    await redis?.kill();
  });

  const webhook = () => timed(() => request(t.http).post('/webhooks/outage-hook/hook').send({ order: 1 }));
  const api = () => timed(() => request(t.http).get('/api/graphs').set(admin));

  it('answers while Redis is up (the baseline the outages are compared with)', async () => {
    expect((await webhook()).status).toBe(202);
    expect((await api()).status).toBe(200);
  });

  it('a frozen Redis holds a rate-limited request at most its deadline, and a webhook at most the enqueue bound', async () => {
    redis.freeze();
    try {
      const listed = await api();
      expect(listed.status).toBe(200);
      expect(listed.ms).toBeLessThan(2_000);
      const accepted = await webhook();
      expect(accepted.status).toBe(202);
      // The rate limiter's 250 ms, then the queue's documented 3 s for an enqueue Redis does not answer.
      expect(accepted.ms).toBeLessThan(6_000);
      expect((await execution(t, accepted.body.execution_id as string)).status).toBe('QUEUED');
    } finally {
      redis.thaw();
    }
  }, 60_000);

  it('a killed Redis is not waited for: webhooks are accepted and stored, /api answers, readiness says why at once', async () => {
    await redis.kill();
    await waitFor(
      () => t.redis!.status,
      (status) => status === 'reconnecting' || status === 'close' || status === 'end',
      {
        what: "the app's Redis connection to notice",
      },
    );
    const accepted = await webhook();
    expect(accepted.status).toBe(202);
    expect(accepted.ms).toBeLessThan(1_000);
    expect((await execution(t, accepted.body.execution_id as string)).status).toBe('QUEUED');
    const listed = await api();
    expect(listed.status).toBe(200);
    expect(listed.ms).toBeLessThan(1_000);
    const ready = await timed(() => request(t.http).get('/health/ready'));
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(1_000);
    expect(ready.body).toMatchObject({ checks: { redis: { ok: false, error: expect.stringContaining('the connection is lost') } } });
    await redis.start();
    await waitFor(
      () => t.redis!.status,
      (status) => status === 'ready',
      { timeoutMs: 30_000, what: 'the connection to come back' },
    );
    expect((await webhook()).status).toBe(202);
  }, 90_000);
});
