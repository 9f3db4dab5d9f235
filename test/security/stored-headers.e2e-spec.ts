// Header maps Trellis stores or yields never hold credentials or our signatures (release-2.md section 1):
// Authorization, Proxy-Authorization, Cookie, X-API-Key, X-Trellis-Signature(-256) / X-Trellis-Timestamp
// and X-Hub-Signature(-256) are dropped from trigger.webhook's `headers`, however the request arrives: a
// real signed webhook request, an execution seeded by hand with the trigger's outputs, or the block run
// directly through POST /api/blocks/trigger.webhook/execute.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { webhookSignatureHeaders } from '../../src/blocks/library/communication/webhook-signature.js';
import type { TestApp } from '../helpers/app.js';
import { admin, createAgent, finished, triggersApp, webhookAgent } from '../triggers/webhooks-helpers.js';

const SECRET = 'stored-headers-secret-0123456789';
const SENSITIVE = {
  Authorization: 'Bearer auth-token-value',
  'Proxy-Authorization': 'Basic cHJveHk6cGFzcw==',
  Cookie: 'session=cookie-value',
  'X-API-Key': 'api-key-value',
  'X-Hub-Signature': 'sha1=hub-signature-value',
  'X-Hub-Signature-256': 'sha256=hub-signature-256-value',
  'X-Trellis-Signature': 'sha256=legacy-signature-value',
};
const HIDDEN = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-trellis-signature',
  'x-trellis-signature-256',
  'x-trellis-timestamp',
];
const VALUES = [...Object.values(SENSITIVE), 'sha256='];

describe('stored and yielded header maps', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('storedheaders');
    await request(t.http)
      .post('/api/integrations/credentials')
      .set(admin)
      .send({ name: 'hook-secret', provider: 'webhook', type: 'webhook_secret', secrets: { secret: SECRET } })
      .expect(201);
    // The headers travel on to another node's inputs too.
    await createAgent(
      t,
      webhookAgent('headers-kept', {
        secret: 'hook-secret',
        nodes: { seen: { block: 'output', inputs: { name: 'seen' } } },
        links: ['hook.headers -> seen.value'],
      }),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Every stored trace of an execution: its trigger event, and each node's inputs and outputs. */
  async function storedOf(id: string): Promise<string> {
    const rows = await t.dataSource.query(
      `SELECT e.trigger_event::text AS event, e.outputs::text AS outputs, string_agg(n.inputs::text || ' ' || n.outputs::text, ' ') AS nodes
         FROM executions e LEFT JOIN node_executions n ON n.execution_id = e.id WHERE e.id = $1 GROUP BY e.id`,
      [id],
    );
    return JSON.stringify(rows[0]);
  }

  const expectClean = (text: string) => {
    for (const value of VALUES) expect(text).not.toContain(value);
    for (const name of HIDDEN) expect(text.toLowerCase()).not.toContain(`"${name}"`);
  };

  it('a signed webhook request: the stored trigger output and the next node inputs lack them', async () => {
    const body = JSON.stringify({ order: 7 });
    const res = await request(t.http)
      .post('/webhooks/headers-kept/hook')
      .set({ 'content-type': 'application/json', 'X-Custom': 'kept', ...SENSITIVE, ...webhookSignatureHeaders(SECRET, body) })
      .send(body)
      .expect(202);
    const row = await finished(t, res.body.execution_id);
    expect(row.status).toBe('COMPLETED');
    expect((row.trigger_event!.headers as Record<string, string>)['x-custom']).toBe('kept');
    const stored = await storedOf(row.id);
    expect(stored).toContain('x-custom');
    expectClean(stored);
  });

  it('an execution seeded by hand with the trigger outputs stores them without the hidden headers', async () => {
    const headers = { 'x-custom': 'kept', ...SENSITIVE, 'X-Trellis-Timestamp': '1700000000' };
    const res = await request(t.http)
      .post('/api/graphs/headers-kept/execute?wait=10s')
      .set(admin)
      .send({ trigger: { node: 'hook', outputs: { body: { order: 8 }, headers, query: {}, method: 'POST' } } });
    expect(res.body.status).toBe('COMPLETED');
    expect(res.body.outputs.seen).toEqual([{ 'x-custom': 'kept' }]);
    expectClean(await storedOf(res.body.execution_id));
  });

  it('POST /api/blocks/trigger.webhook/execute yields headers without them', async () => {
    const res = await request(t.http)
      .post('/api/blocks/trigger.webhook/execute')
      .set(admin)
      .send({ inputs: { event: { body: null, headers: { 'X-Custom': 'kept', ...SENSITIVE }, method: 'POST' } } })
      .expect(200);
    const headers = (res.body.outputs as Array<{ pin: string; value: unknown }>).find((o) => o.pin === 'headers')!.value;
    expect(headers).toEqual({ 'x-custom': 'kept' });
  });
});
