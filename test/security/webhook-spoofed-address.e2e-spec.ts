// An attacker who floods a webhook and rotates forwarding headers, against a server that does not trust a proxy
// (server.trust_proxy off, the default): the webhook route now answers before Express, and must still take the
// source address from the socket, so the headers cannot buy the attacker a fresh webhooks.rate_limit count each.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createAgent, triggersApp, webhookAgent } from '../triggers/webhooks-helpers.js';

describe('webhooks.rate_limit against spoofed forwarding headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('webhook-spoof', { overrides: { server: { trust_proxy: false }, webhooks: { rate_limit: '2/min' } } });
    await createAgent(t, webhookAgent('spoofed'));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('counts every request from one socket address, whatever X-Forwarded-For, X-Real-IP or Forwarded say', async () => {
    const spoofed = (n: number) =>
      request(t.http)
        .post('/webhooks/spoofed/hook')
        .set('X-Forwarded-For', `203.0.113.${n}`)
        .set('X-Real-IP', `198.51.100.${n}`)
        .set('Forwarded', `for=192.0.2.${n}`)
        .send({ n });
    expect((await spoofed(1)).status).toBe(202);
    expect((await spoofed(2)).status).toBe(202);
    const third = await spoofed(3);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBeDefined();
    // Only the two accepted requests became executions.
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = 'spoofed'`);
    expect(rows[0].n).toBe(2);
  });
});
