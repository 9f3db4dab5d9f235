// POST /webhooks/{agent}/{node} against a real app and Postgres: routing, methods, body limit, signatures,
// idempotency (sequential and concurrent), ?wait= with outputs and http_response, billing, rate limits.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { webhookSignatureHeaders } from '../../src/blocks/library/communication/webhook-signature.js';
import { makeUser } from '../auth/auth-helpers.js';
import type { TestApp } from '../helpers/app.js';
import { admin, createAgent, execution, executionsOf, finished, triggersApp, webhookAgent } from './webhooks-helpers.js';

const SECRET = 'webhook-secret-0123456789';

describe('POST /webhooks/{agent}/{node}', () => {
  let t: TestApp;
  let adminId: string;
  let broke: { user: { id: string } };

  beforeAll(async () => {
    t = await triggersApp('webhooks', { overrides: { webhooks: { body_limit: '2kb' } } });
    adminId = ((await t.dataSource.query(`SELECT id FROM users WHERE handle = 'admin'`)) as Array<{ id: string }>)[0]!.id;
    broke = await makeUser(t, 'broke', { credits: 0 });
    await request(t.http)
      .post('/api/integrations/credentials')
      .set(admin)
      .send({ name: 'hook-secret', provider: 'webhook', type: 'webhook_secret', secrets: { secret: SECRET } })
      .expect(201);
    await createAgent(t, webhookAgent('echo'));
    await createAgent(t, webhookAgent('puts', { methods: ['PUT', 'PATCH'] }));
    await createAgent(t, webhookAgent('signed', { secret: 'hook-secret' }));
    await createAgent(
      t,
      webhookAgent('unpaid', { owner: 'broke', nodes: { paid: { block: 'code.js', inputs: { code: 'return input;' } } }, links: ['hook.body -> paid.input'] }),
    );
    await createAgent(t, webhookAgent('gone'));
    await createAgent(
      t,
      webhookAgent('custom', {
        nodes: {
          shape: { block: 'json.query', inputs: { expression: '{"status": 201, "headers": {"X-Made-By": "trellis"}, "body": {"got": name}}' } },
          reply: { block: 'output', inputs: { name: 'http_response' } },
        },
        links: ['hook.body -> shape.data', 'shape.result -> reply.value'],
      }),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 202 {execution_id} and runs the agent with body, headers, query and method', async () => {
    const res = await request(t.http)
      .post('/webhooks/echo/hook?tag=a&tag=b&x=1')
      .set('X-Custom', 'yes')
      .set('Authorization', 'Bearer hidden')
      .send({ hello: 'world' })
      .expect(202);
    expect(Object.keys(res.body)).toEqual(['execution_id']);
    const row = await finished(t, res.body.execution_id);
    expect(row).toMatchObject({ graph_id: 'echo', status: 'COMPLETED', source: 'webhook', trigger_node: 'hook', user_id: adminId });
    expect(row.trigger_event).toMatchObject({ body: { hello: 'world' }, query: { tag: ['a', 'b'], x: '1' }, method: 'POST' });
    const headers = row.trigger_event!.headers as Record<string, string>;
    expect(headers['x-custom']).toBe('yes');
    expect(headers['content-type']).toMatch(/application\/json/);
    expect(headers).not.toHaveProperty('authorization');
    const results = await request(t.http).get(`/api/executions/${row.id}/results`).set(admin).expect(200);
    expect(results.body.outputs.echo).toEqual([{ hello: 'world' }]);
  });

  it('passes a body that is not JSON as text', async () => {
    const res = await request(t.http).post('/webhooks/echo/hook').set('Content-Type', 'text/plain').send('just words').expect(202);
    expect((await execution(t, res.body.execution_id)).trigger_event).toMatchObject({ body: 'just words' });
  });

  it('answers 400 for a JSON body that does not parse', async () => {
    const res = await request(t.http).post('/webhooks/echo/hook').set('Content-Type', 'application/json').send('{"broken":').expect(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });

  it('answers 413 past webhooks.body_limit and creates nothing', async () => {
    const before = (await executionsOf(t, 'echo')).length;
    const res = await request(t.http).post('/webhooks/echo/hook').set('Content-Type', 'text/plain').send('x'.repeat(3000)).expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await executionsOf(t, 'echo')).length).toBe(before);
  });

  it('leaves the /api JSON parser working beside the raw webhook parser', async () => {
    const res = await request(t.http)
      .post('/api/graphs/echo/execute')
      .set(admin)
      .send({ trigger: { node: 'hook', outputs: { body: 1, headers: {}, query: {}, method: 'POST' } } });
    expect(res.status).toBe(202);
  });

  it.each([
    ['an unknown agent', '/webhooks/nobody/hook', /No active agent "nobody"/],
    ['an unknown node', '/webhooks/echo/nothing', /trigger.webhook node "nothing"/],
    ['a node that is not trigger.webhook', '/webhooks/echo/echo', /trigger.webhook node "echo"/],
  ])('answers 404 for %s', async (_name, path, message) => {
    const res = await request(t.http).post(path).send({}).expect(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 404 once the agent is inactive', async () => {
    await request(t.http).post('/webhooks/gone/hook').send({}).expect(202);
    await request(t.http)
      .delete('/api/graphs/gone')
      .set(admin)
      .expect((res) => expect(res.status).toBeLessThan(300));
    await request(t.http).post('/webhooks/gone/hook').send({}).expect(404);
  });

  it("accepts only the node's methods (405 with Allow otherwise)", async () => {
    const res = await request(t.http).get('/webhooks/echo/hook').expect(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body.error.message).toMatch(/does not accept GET/);
    await request(t.http).post('/webhooks/puts/hook').send({}).expect(405);
    const put = await request(t.http).put('/webhooks/puts/hook').send({ a: 1 }).expect(202);
    expect((await execution(t, put.body.execution_id)).trigger_event).toMatchObject({ method: 'PUT' });
    await request(t.http).patch('/webhooks/puts/hook').send({}).expect(202);
  });

  describe('signatures', () => {
    const body = JSON.stringify({ signed: true });

    it('accepts a correctly signed request and hides the signature headers', async () => {
      const res = await request(t.http)
        .post('/webhooks/signed/hook')
        .set('Content-Type', 'application/json')
        .set(webhookSignatureHeaders(SECRET, body))
        .send(body)
        .expect(202);
      const headers = (await execution(t, res.body.execution_id)).trigger_event!.headers as Record<string, string>;
      expect(headers).not.toHaveProperty('x-trellis-signature-256');
      expect(headers).not.toHaveProperty('x-trellis-timestamp');
    });

    it('answers 401 without a signature', async () => {
      const res = await request(t.http).post('/webhooks/signed/hook').set('Content-Type', 'application/json').send(body).expect(401);
      expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'missing' } });
      expect(res.body.error.message).toMatch(/X-Trellis-Signature-256/);
    });

    it('answers 401 for a stale timestamp', async () => {
      const res = await request(t.http)
        .post('/webhooks/signed/hook')
        .set('Content-Type', 'application/json')
        .set(webhookSignatureHeaders(SECRET, body, Date.now() - 10 * 60_000))
        .send(body)
        .expect(401);
      expect(res.body.error.details).toMatchObject({ reason: 'stale', tolerance_seconds: 300 });
    });

    it('answers 401 for a wrong signature (another secret, or another body)', async () => {
      await request(t.http)
        .post('/webhooks/signed/hook')
        .set('Content-Type', 'application/json')
        .set(webhookSignatureHeaders('not-the-secret', body))
        .send(body)
        .expect(401);
      const res = await request(t.http)
        .post('/webhooks/signed/hook')
        .set('Content-Type', 'application/json')
        .set(webhookSignatureHeaders(SECRET, body))
        .send(JSON.stringify({ signed: false }))
        .expect(401);
      expect(res.body.error.details).toMatchObject({ reason: 'mismatch' });
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a sequential duplicate 200 with the first answer and creates nothing', async () => {
      const first = await request(t.http).post('/webhooks/echo/hook').set('Idempotency-Key', 'seq-1').send({ n: 1 }).expect(202);
      const second = await request(t.http).post('/webhooks/echo/hook').set('Idempotency-Key', 'seq-1').send({ n: 1 }).expect(200);
      expect(second.body).toEqual(first.body);
      const rows = (await executionsOf(t, 'echo')).filter(
        (r) => (r.trigger_event?.headers as Record<string, string> | undefined)?.['idempotency-key'] === 'seq-1',
      );
      expect(rows.map((r) => r.id)).toEqual([first.body.execution_id]);
    });

    it('answers 409 for the same key with another body', async () => {
      await request(t.http).post('/webhooks/echo/hook').set('Idempotency-Key', 'seq-2').send({ n: 1 }).expect(202);
      const res = await request(t.http).post('/webhooks/echo/hook').set('Idempotency-Key', 'seq-2').send({ n: 2 }).expect(409);
      expect(res.body.error.message).toMatch(/different body/);
    });

    it('keeps keys apart per trigger', async () => {
      const a = await request(t.http).post('/webhooks/echo/hook').set('Idempotency-Key', 'shared').send({}).expect(202);
      const b = await request(t.http).put('/webhooks/puts/hook').set('Idempotency-Key', 'shared').send({}).expect(202);
      expect(a.body.execution_id).not.toBe(b.body.execution_id);
    });

    it('creates exactly one execution for concurrent duplicates', async () => {
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => request(t.http).post('/webhooks/echo/hook').set('Idempotency-Key', 'race-1').send({ race: true })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(11);
      expect(new Set(answers.map((a) => a.body.execution_id)).size).toBe(1);
      const count = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM executions WHERE graph_id = 'echo' AND trigger_event->'headers'->>'idempotency-key' = 'race-1'`,
      )) as Array<{ n: number }>;
      expect(count[0]!.n).toBe(1);
    });
  });

  describe('?wait=', () => {
    it('answers 200 with status, outputs and error when the execution finishes in time', async () => {
      const res = await request(t.http).post('/webhooks/echo/hook?wait=10s').send({ w: 1 }).expect(200);
      expect(res.body).toEqual({ execution_id: expect.any(String), status: 'COMPLETED', outputs: { echo: [{ w: 1 }] }, error: null });
      expect((await execution(t, res.body.execution_id)).trigger_event!.query).toEqual({});
    });

    it("answers with the agent's http_response output", async () => {
      const res = await request(t.http).post('/webhooks/custom/hook?wait=10s').send({ name: 'ada' }).expect(201);
      expect(res.headers['x-made-by']).toBe('trellis');
      expect(res.body).toEqual({ got: 'ada' });
    });

    it('replays a waited answer to a duplicate', async () => {
      const first = await request(t.http).post('/webhooks/echo/hook?wait=10s').set('Idempotency-Key', 'waited').send({ w: 2 }).expect(200);
      const again = await request(t.http).post('/webhooks/echo/hook?wait=10s').set('Idempotency-Key', 'waited').send({ w: 2 }).expect(200);
      expect(again.body).toEqual(first.body);
    });

    it('answers 400 for a wait over 60 s', async () => {
      const res = await request(t.http).post('/webhooks/echo/hook?wait=5m').send({}).expect(400);
      expect(res.body.error.message).toMatch(/at most 60s/);
    });
  });

  it('bills the owner, and still answers 202 when the owner has no credits', async () => {
    const res = await request(t.http).post('/webhooks/unpaid/hook').send({ a: 1 }).expect(202);
    const row = await finished(t, res.body.execution_id);
    expect(row.user_id).toBe(broke.user.id);
    expect(row.status).toBe('FAILED');
    expect(row.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
  });

  it('counts requests in the webhook metric', async () => {
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.text).toMatch(/trellis_webhook_requests_total\{kind="webhook",status="202"\} \d+/);
    expect(res.text).toMatch(/trellis_webhook_requests_total\{kind="webhook",status="404"\} \d+/);
  });
});

describe('webhooks.rate_limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('webhooks-rate', { overrides: { webhooks: { rate_limit: '3/min' } } });
    await createAgent(t, webhookAgent('limited'));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After past the rate per source address', async () => {
    for (let i = 0; i < 3; i++) await request(t.http).post('/webhooks/limited/hook').send({ i }).expect(202);
    const res = await request(t.http).post('/webhooks/limited/hook').send({}).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.error.message).toMatch(/webhooks.rate_limit/);
  });
});

describe('webhooks in queue mode (BullMQ on Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('webhooks-redis', { redis: true });
    await createAgent(t, webhookAgent('queued'));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('dispatches through the queue and answers ?wait= with the results', async () => {
    const res = await request(t.http).post('/webhooks/queued/hook?wait=20s').send({ via: 'redis' }).expect(200);
    expect(res.body).toMatchObject({ status: 'COMPLETED', outputs: { echo: [{ via: 'redis' }] }, error: null });
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => request(t.http).post('/webhooks/queued/hook').send({ i })));
    expect(many.map((r) => r.status)).toEqual(many.map(() => 202));
    const done = await Promise.all(many.map((r) => finished(t, r.body.execution_id)));
    expect(done.map((r) => r.status)).toEqual(done.map(() => 'COMPLETED'));
  });
});
