// Bounded answers and values (release-2.md sections 1 and 3): every value that reaches SQL from a URL or a
// body is bounded (400, never 500), the block execute API's answer is bounded by executor.max_value_bytes,
// credit balances stay within 2^53 - 1, and http_response answers are checked and sandboxed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { webhookSignature } from '../../src/blocks/library/communication/webhook-signature.js';
import { ADMIN_KEY, makeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectNoExecutionLeftRunning } from '../helpers/executions.js';
import { createAgent, webhookAgent } from '../triggers/webhooks-helpers.js';

const SECRET = 'bounded-answers-webhook-secret';
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** trigger.webhook -> json.query shaping the http_response output from `expression`. */
function shapedAgent(name: string, expression: string): Record<string, unknown> {
  return webhookAgent(name, {
    nodes: { shape: { block: 'json.query', inputs: { expression } }, reply: { block: 'output', inputs: { name: 'http_response' } } },
    links: ['hook.body -> shape.data', 'shape.result -> reply.value'],
  });
}

describe('bounded answers', () => {
  let t: TestApp;
  const api = (method: 'get' | 'post', path: string) => request(t.http)[method](path).set('X-API-Key', ADMIN_KEY);

  beforeAll(async () => {
    t = await createTestApp({ label: 'secbounded', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY }, overrides: { webhooks: { html_responses: ['html-page'] } } });
    await api('post', '/api/integrations/credentials')
      .send({ name: 'hook-secret', provider: 'webhook', type: 'webhook_secret', secrets: { secret: SECRET } })
      .expect(201);
    await createAgent(t, webhookAgent('signed', { secret: 'hook-secret' }));
    await createAgent(t, shapedAgent('crlf', '{"status": 200, "headers": {"X-Note": "a\\r\\nSet-Cookie: s=1"}, "body": "hi"}'));
    await createAgent(t, shapedAgent('cookie', '{"status": 200, "headers": {"Set-Cookie": "s=1"}, "body": "hi"}'));
    await createAgent(t, shapedAgent('cors', '{"headers": {"Access-Control-Allow-Origin": "*"}}'));
    await createAgent(t, shapedAgent('informational', '{"status": 101}'));
    await createAgent(t, shapedAgent('page', '{"status": 200, "headers": {"Content-Type": "text/html"}, "body": "<script>alert(1)</script>"}'));
    await createAgent(t, shapedAgent('html-page', '{"status": 200, "headers": {"Content-Type": "text/html"}, "body": "<b>hi</b>"}'));
  });
  afterAll(async () => {
    if (t) await expectNoExecutionLeftRunning(t.dataSource);
    await t?.close();
  });

  describe('POST /api/blocks/{id}/execute', () => {
    it('refuses a 100 MB json.query answer with 413 VALUE_TOO_LARGE, naming executor.max_value_bytes', async () => {
      const res = await api('post', '/api/blocks/json.query/execute').send({ inputs: { data: {}, expression: '$pad("", 100000000, "x")' } });
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'VALUE_TOO_LARGE', details: { max_value_bytes: 1024 * 1024 } });
      expect(res.body.error.message).toContain('executor.max_value_bytes (1048576 bytes)');
      expect(res.headers['content-length'] === undefined || Number(res.headers['content-length']) < 10_000).toBe(true);
    });

    it('answers a value within the limit as before', async () => {
      const res = await api('post', '/api/blocks/json.query/execute')
        .send({ inputs: { data: { a: [1, 2] }, expression: 'a' } })
        .expect(200);
      expect(res.body.outputs).toEqual([{ pin: 'result', value: [1, 2] }]);
    });

    it('answers 400 NEEDS_ENGINE for agent.run, which suspends on a child execution', async () => {
      const res = await api('post', '/api/blocks/agent.run/execute').send({ inputs: { agent: 'signed' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'NEEDS_ENGINE', message: expect.stringContaining('only runs inside an execution') });
    });
  });

  describe('credits', () => {
    it('answers 400 for an amount of 2^53 or more, and for a top-up that would push a balance past 2^53 - 1', async () => {
      const rich = await makeUser(t, 'rich');
      const huge = await api('post', `/api/admin/users/${rich.user.id}/credits`).send({ type: 'GRANT', amount: 2 ** 53 });
      expect(huge.status).toBe(400);
      expect(huge.body.error.message).toContain('at most 9007199254740991');
      const past = await api('post', `/api/admin/users/${rich.user.id}/credits`).send({ type: 'TOP_UP', amount: Number.MAX_SAFE_INTEGER });
      expect(past.status).toBe(400);
      expect(past.body.error).toMatchObject({ code: 'BAD_REQUEST', details: { max_balance: Number.MAX_SAFE_INTEGER } });
      const fits = await api('post', `/api/admin/users/${rich.user.id}/credits`).send({ type: 'TOP_UP', amount: Number.MAX_SAFE_INTEGER - 1000 });
      expect(fits.status).toBe(201);
      const balance = await request(t.http).get('/api/user/credits').set('X-API-Key', rich.key).expect(200);
      expect(balance.body.balance).toBe(Number.MAX_SAFE_INTEGER);
      const more = await api('post', `/api/admin/users/${rich.user.id}/credits`).send({ type: 'GRANT', amount: 1 });
      expect(more.status).toBe(400);
      expect(more.body.error.message).toContain('Add at most 0');
    });
  });

  describe('query strings and path values', () => {
    it('answers 400 for ?version= and :version past 32 bits', async () => {
      const get = await api('get', '/api/graphs/signed?version=2147483648');
      expect(get.status).toBe(400);
      expect(get.body.error.details.problems).toEqual([{ pointer: '/version', message: 'expected a version number from 1 to 2147483647' }]);
      const run = await api('post', '/api/graphs/signed/execute/2147483648').send({});
      expect(run.status).toBe(400);
      expect(run.body.error.message).toContain('from 1 to 2147483647');
      expect((await api('post', '/api/graphs/signed/execute/99999999999999999999').send({})).status).toBe(400);
    });

    it('answers 400 for executions and node cursors with a bad timestamp, id or sequence', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      for (const bad of [
        { created_at: 'yesterday', id },
        { created_at: '2026-13-45T99:99:99Z', id },
        { created_at: '2026-01-01T00:00:00.000Z', id: 'not-a-uuid' },
        { created_at: '1', id },
      ]) {
        const res = await api('get', `/api/executions?cursor=${cursor(bad)}`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('cursor');
      }
      const good = await api('get', `/api/executions?cursor=${cursor({ created_at: '2026-01-01T00:00:00.000Z', id })}`);
      expect(good.status).toBe(200);
    });

    it('answers 400 for a credits transactions cursor past 64 bits, and for a notifications cursor with a bad time', async () => {
      const credits = await api('get', `/api/user/credits/transactions?cursor=${cursor({ before: '9999999999999999999' })}`);
      expect(credits.status).toBe(400);
      const notifications = await api(
        'get',
        `/api/notifications?cursor=${cursor({ created_at: '+275760-09-13T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' })}`,
      );
      expect(notifications.status).toBe(400);
    });
  });

  describe('webhooks', () => {
    it('refuses a signature timestamp that is not plain decimal digits (401 bad_timestamp)', async () => {
      const body = '{"a":1}';
      const now = Math.floor(Date.now() / 1000);
      for (const stamp of [`+${now}`, `${now}.0`, `0x${now.toString(16)}`, `${now}e0`]) {
        const res = await request(t.http)
          .post('/webhooks/signed/hook')
          .set('content-type', 'application/json')
          .set('x-trellis-timestamp', stamp)
          .set('x-trellis-signature-256', webhookSignature(SECRET, now, body))
          .send(body);
        expect(res.status).toBe(401);
        expect(res.body.error.details).toEqual({ reason: 'bad_timestamp' });
      }
      const ok = await request(t.http)
        .post('/webhooks/signed/hook')
        .set('content-type', 'application/json')
        .set('x-trellis-timestamp', String(now))
        .set('x-trellis-signature-256', webhookSignature(SECRET, now, body))
        .send(body);
      expect(ok.status).toBe(202);
    });

    it.each([
      ['crlf', 'contains CR, LF or another control character'],
      ['cookie', 'header "Set-Cookie" may not be set'],
      ['cors', 'header "Access-Control-Allow-Origin" may not be set'],
      ['informational', 'status must be a whole number from 200 to 599'],
    ])('fails the http_response node of %s with HTTP_RESPONSE_INVALID instead of a 500', async (agent, problem) => {
      const res = await request(t.http).post(`/webhooks/${agent}/hook?wait=10s`).send({});
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).toMatchObject({ status: 'FAILED', error: { code: 'HTTP_RESPONSE_INVALID', node_id: 'reply' } });
      expect(res.body.error.message).toContain(problem);
    });

    it('sandboxes every answer shaped by http_response, unless webhooks.html_responses lists the agent', async () => {
      const page = await request(t.http).post('/webhooks/page/hook?wait=10s').send({}).expect(200);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect(page.text).toBe('<script>alert(1)</script>');
      const html = await request(t.http).post('/webhooks/html-page/hook?wait=10s').send({}).expect(200);
      expect(html.headers['x-content-type-options']).toBe('nosniff');
      expect(html.headers['content-security-policy']).toBeUndefined();
      expect(html.headers['content-type']).toMatch(/^text\/html/);
    });
  });
});
