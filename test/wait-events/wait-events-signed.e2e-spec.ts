// POST /webhooks/{agent}/{node}/events/{key} to a wait.event node that has a `secret`: the event must be
// signed with that secret over "<timestamp>.<key>.<raw body>" (release-2.md section 3). A correct signature
// is accepted and reaches the waiter; a wrong secret, a signature over another key or body, a stale
// timestamp, no signature, and an API key alone (the secret decides, not the caller) are refused with 401.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { webhookSignature, webhookSignatureHeaders } from '../../src/blocks/library/communication/webhook-signature.js';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { admin, createAgent, triggersApp } from '../triggers/webhooks-helpers.js';

const SECRET = 'wait-event-secret-0123456789';

/** The headers that sign an event on `key`: the HMAC covers "<timestamp>.<key>.<raw body>". */
function signEvent(secret: string, key: string, body: string, now = Date.now()): Record<string, string> {
  return webhookSignatureHeaders(secret, `${key}.${body}`, now);
}

describe('wait.event signed with the node secret', () => {
  let t: TestApp;
  const api = () => request(t.http);

  async function startWaiting(key: string): Promise<string> {
    const res = await api().post('/api/graphs/signed-listener/execute').set(admin).send({ inputs: { key } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(
      () => t.dataSource.query(`SELECT status FROM node_executions WHERE execution_id = $1 AND node_id = 'wait'`, [id]) as Promise<Array<{ status: string }>>,
      (rows) => rows[0]?.status === 'WAITING',
      { what: 'the wait.event node WAITING', timeoutMs: 15_000 },
    );
    return id;
  }

  const post = (key: string, body: string, headers: Record<string, string>) =>
    api().post(`/webhooks/signed-listener/wait/events/${key}`).set('Content-Type', 'application/json').set(headers).send(body);

  const stored = async (key: string) =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM wait_events WHERE key = $1`, [key])) as Array<{ n: number }>)[0]!.n;

  beforeAll(async () => {
    t = await triggersApp('waitsigned');
    await api()
      .post('/api/integrations/credentials')
      .set(admin)
      .send({ name: 'event-secret', provider: 'webhook', type: 'webhook_secret', secrets: { secret: SECRET } })
      .expect(201);
    await createAgent(t, {
      name: 'signed-listener',
      nodes: {
        key: { block: 'input', inputs: { name: 'key', type: 'string' } },
        wait: { block: 'wait.event', inputs: { timeout: '20s' }, credentials: { secret: 'event-secret' } },
        event: { block: 'output', inputs: { name: 'event' } },
      },
      links: ['key.value -> wait.key', 'wait.event -> event.value'],
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('accepts an event signed with the secret over "<timestamp>.<key>.<body>" and hands it to the waiter', async () => {
    const id = await startWaiting('order-1');
    const body = JSON.stringify({ paid: true });
    const res = await post('order-1', body, signEvent(SECRET, 'order-1', body));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({});
    const done = await waitFor(
      async () => (await api().get(`/api/executions/${id}`).set(admin)).body as { status: string; outputs: Record<string, unknown[]> },
      (e) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(e.status),
      { what: 'the execution to finish', timeoutMs: 20_000 },
    );
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { event: [{ paid: true }] } });
  });

  it('refuses with 401 a wrong secret, a signature over another key or body, and no signature, storing nothing', async () => {
    const body = JSON.stringify({ paid: true });
    const refused = [
      await post('order-2', body, signEvent('not-the-secret', 'order-2', body)),
      await post('order-2', body, signEvent(SECRET, 'order-other', body)), // replayed onto another key
      await post('order-2', JSON.stringify({ paid: false }), signEvent(SECRET, 'order-2', body)), // body changed
      await post('order-2', body, webhookSignatureHeaders(SECRET, body)), // signed like a trigger, without the key
      await post('order-2', body, {}),
    ];
    for (const res of refused) {
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(res.body.error.message).toMatch(/X-Trellis-Signature-256/);
    }
    expect(await stored('order-2')).toBe(0);
  });

  it('refuses with 401 a correct signature whose timestamp is older than the tolerance', async () => {
    const body = JSON.stringify({ late: true });
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    const res = await post('order-3', body, signEvent(SECRET, 'order-3', body, tenMinutesAgo));
    expect(res.status).toBe(401);
    // The same signature stamped now is accepted: only the age was wrong.
    const seconds = Math.floor(Date.now() / 1000);
    const fresh = await post('order-3', body, {
      'X-Trellis-Timestamp': String(seconds),
      'X-Trellis-Signature-256': webhookSignature(SECRET, seconds, `order-3.${body}`),
    });
    expect(fresh.status).toBe(202);
    expect(await stored('order-3')).toBe(1);
  });

  it("refuses with 401 an admin's API key without a signature: a node with a secret takes only signed events", async () => {
    const body = JSON.stringify({ via: 'key' });
    const res = await post('order-4', body, admin);
    expect(res.status).toBe(401);
    expect(await stored('order-4')).toBe(0);
  });
});
