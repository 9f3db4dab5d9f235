// The webhook route answers before Express (src/triggers/webhooks/webhook-route.ts): what every request gets
// from the Express pipeline it must give too. The request id and its log line, the common error body, and the
// source address Express computes (trust proxy) for webhooks.rate_limit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createAgent, triggersApp, webhookAgent } from './webhooks-helpers.js';

describe('the webhook route before Express', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('webhook-route', {
      captureLogs: { level: 'info', logger: 'ours' },
      overrides: { server: { trust_proxy: true }, webhooks: { rate_limit: '2/min' } },
    });
    await createAgent(t, webhookAgent('routed'));
  });

  afterAll(async () => {
    await t?.close();
  });

  it("answers with the caller's request id and logs the request's line, its path without the query", async () => {
    const res = await request(t.http)
      .post('/webhooks/routed/hook?token=hidden')
      .set('X-Request-Id', 'hook-req-1')
      .set('X-Forwarded-For', '203.0.113.1')
      .send({ a: 1 });
    expect(res.status).toBe(202);
    expect(res.headers['x-request-id']).toBe('hook-req-1');
    const line = t.logs().find((entry) => entry.msg === 'request' && entry.request_id === 'hook-req-1');
    expect(line).toMatchObject({ method: 'POST', path: '/webhooks/routed/hook', status: 202 });
    expect(JSON.stringify(line)).not.toContain('hidden');
  });

  it('answers an error with the common body and the request id', async () => {
    const res = await request(t.http).post('/webhooks/nobody/hook').set('X-Request-Id', 'hook-req-2').set('X-Forwarded-For', '203.0.113.2').send({});
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toBe('hook-req-2');
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', request_id: 'hook-req-2' });
  });

  it('counts webhooks.rate_limit per source address as Express gives it (X-Forwarded-For under trust_proxy)', async () => {
    const from = (address: string) => request(t.http).post('/webhooks/routed/hook').set('X-Forwarded-For', address).send({});
    expect((await from('198.51.100.7')).status).toBe(202);
    expect((await from('198.51.100.7')).status).toBe(202);
    expect((await from('198.51.100.7')).status).toBe(429);
    // Another address has its own count: the limit is not the proxy's (the socket's) address.
    expect((await from('198.51.100.8')).status).toBe(202);
  });
});
