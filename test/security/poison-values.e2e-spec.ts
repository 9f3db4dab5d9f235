// Poison values end to end (release-2.md section 1): a real app with its BullMQ worker, a short lease and a
// quick sweep (executor.sweep_interval), so that a write failure turned into a lapse would show as a re-run
// within a second. Nothing a block yields or a request sends can leave an execution RUNNING, re-run a node
// or charge an attempt twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectNoExecutionLeftRunning } from '../helpers/executions.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';
import { startHttpPeer, type HttpPeer } from '../executions/http-peer.js';
import { createAgent, webhookAgent } from '../triggers/webhooks-helpers.js';

import { ADMIN_KEY as ADMIN } from '../auth/auth-helpers.js';
// The start of a zip file: NUL bytes and bytes that are not UTF-8.
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0xff, 0xfe, 0x80, 0x00]);

interface NodeRow {
  node_id: string;
  status: string;
  error: { code: string; message: string } | null;
  attempts: Array<{ attempt: number; error: { code: string } | null }>;
  resumes: number;
}

describe('poison values', () => {
  let t: TestApp;
  let zipServer: Server;
  let zipRequests = 0;
  let peer: HttpPeer;
  const api = () => request(t.http);

  const start = async (agent: string, inputs: Record<string, unknown> = { text: 'go' }): Promise<string> => {
    const res = await api().post(`/api/graphs/${agent}/execute`).set('X-API-Key', ADMIN).send({ inputs });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const finished = (id: string, timeoutMs = 15_000) =>
    waitFor(
      async () =>
        (
          (await t.dataSource.query(`SELECT status, error, outputs, lease_owner FROM executions WHERE id = $1`, [id])) as Array<{
            status: string;
            error: { code: string; message: string; node_id: string | null } | null;
            outputs: Record<string, unknown[]> | null;
            lease_owner: string | null;
          }>
        )[0]!,
      (row) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status),
      { timeoutMs, what: `execution ${id} to finish` },
    );
  const nodes = async (id: string): Promise<NodeRow[]> =>
    (await t.dataSource.query(`SELECT node_id, status, error, attempts, resumes FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as NodeRow[];
  const charges = async (id: string) =>
    (await t.dataSource.query(`SELECT t.attempt, t.amount FROM credit_transactions t WHERE t.execution_id = $1 AND t.type = 'USAGE' ORDER BY t.id`, [
      id,
    ])) as Array<{ attempt: number; amount: string }>;

  beforeAll(async () => {
    zipServer = createServer((req, res) => {
      zipRequests++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/zip' });
      res.end(ZIP);
    });
    await new Promise<void>((resolve) => zipServer.listen(0, '127.0.0.1', resolve));
    peer = await startHttpPeer(() => 'hold');
    t = await createTestApp({
      label: 'secpoison',
      redis: true,
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { executor: { lease: '1s', sweep_interval: '200ms', max_resumes: 3 }, http: { allow_private_addresses: true } },
    });
    const text = node('input', { name: 'text', type: 'string' });
    await saveAgent(t.dataSource, {
      name: 'nul-result',
      nodes: { text, code: node('code.js', { code: 'return "a\\u0000b";' }), result: node('output', { name: 'result' }) },
      links: [link('text.value', 'code.input'), link('code.result', 'result.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'nul-routed',
      nodes: {
        text,
        code: node('code.js', { code: 'return { rows: ["ok", "a\\u0000b"] };' }),
        result: node('output', { name: 'result' }),
        caught: node('output', { name: 'caught' }),
      },
      links: [link('text.value', 'code.input'), link('code.result', 'result.value'), link('code.error', 'caught.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'deep-result',
      nodes: {
        text,
        code: node('code.js', { code: 'let v = "leaf"; for (let i = 0; i < 70; i++) v = [v]; return v;' }),
        result: node('output', { name: 'result' }),
      },
      links: [link('text.value', 'code.input'), link('code.result', 'result.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'zip-fetch',
      nodes: {
        text,
        fetch: node('http.request', { url: `http://127.0.0.1:${(zipServer.address() as AddressInfo).port}/archive.zip`, method: 'POST' }),
        body: node('output', { name: 'body' }),
        base64: node('output', { name: 'base64' }),
      },
      links: [link('text.value', 'fetch.body'), link('fetch.body', 'body.value'), link('fetch.body_base64', 'base64.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'refused-step',
      nodes: { text, code: node('code.js', { code: 'return "refuse" + "-me";' }), result: node('output', { name: 'result' }) },
      links: [link('text.value', 'code.input'), link('code.result', 'result.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'hold',
      nodes: { text, call: node('http.request', { url: `${peer.url}/hold`, method: 'POST' }), result: node('output', { name: 'result' }) },
      links: [link('text.value', 'call.body'), link('call.status', 'result.value')],
    });
    // A value the database refuses though the engine's check passes it: the forced step-write failure.
    await t.dataSource.query(`ALTER TABLE node_executions ADD CONSTRAINT poison_test_refuse CHECK (outputs::text NOT LIKE '%refuse-me%')`);
  });

  afterAll(async () => {
    if (t) await expectNoExecutionLeftRunning(t.dataSource);
    await t?.close();
    await peer?.close();
    await new Promise((resolve) => zipServer?.close(resolve));
  });

  it('fails a code.js node returning "a\\u0000b" with VALUE_NOT_STORABLE at once: not RUNNING, charged once, never re-run', async () => {
    const started = Date.now();
    const id = await start('nul-result');
    const row = await finished(id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(row).toMatchObject({ status: 'FAILED', lease_owner: null, error: { code: 'VALUE_NOT_STORABLE', node_id: 'code' } });
    expect(row.error!.message).toContain('pin "result"');
    expect(row.error!.message).toContain('U+0000');
    const code = (await nodes(id)).find((n) => n.node_id === 'code')!;
    expect(code).toMatchObject({ status: 'FAILED', resumes: 0, error: { code: 'VALUE_NOT_STORABLE' } });
    expect(code.attempts).toHaveLength(1);
    expect((await charges(id)).map((c) => [Number(c.attempt), Number(c.amount)])).toEqual([[1, -1]]);
  });

  it('routes VALUE_NOT_STORABLE along the error pin, naming the JSON path', async () => {
    const row = await finished(await start('nul-routed'));
    expect(row.status).toBe('COMPLETED');
    expect(row.outputs).toEqual({
      result: [],
      caught: [{ code: 'VALUE_NOT_STORABLE', message: expect.stringContaining('JSON path /rows/1 contains the character U+0000') }],
    });
  });

  it('fails a value nested deeper than limits.max_json_depth with VALUE_NOT_STORABLE', async () => {
    const row = await finished(await start('deep-result'));
    expect(row.error).toMatchObject({ code: 'VALUE_NOT_STORABLE', node_id: 'code', message: expect.stringContaining('limits.max_json_depth (64 levels)') });
  });

  it('yields body null and body_base64 for a zip answer, sending the request exactly once', async () => {
    const before = zipRequests;
    const row = await finished(await start('zip-fetch'));
    expect(row.status).toBe('COMPLETED');
    expect(row.outputs).toEqual({ body: [null], base64: [ZIP.toString('base64')] });
    expect(Buffer.from(row.outputs!.base64![0] as string, 'base64').equals(ZIP)).toBe(true);
    expect(zipRequests - before).toBe(1);
  });

  it('fails the node and the execution with STORE_FAILED when the database refuses the step, in a separate write, without a lapse', async () => {
    const id = await start('refused-step');
    const row = await finished(id);
    expect(row).toMatchObject({ status: 'FAILED', lease_owner: null, error: { code: 'STORE_FAILED', node_id: 'code' } });
    expect(row.error!.message).toContain('poison_test_refuse');
    const code = (await nodes(id)).find((n) => n.node_id === 'code')!;
    expect(code).toMatchObject({ status: 'FAILED', resumes: 0, error: { code: 'STORE_FAILED' } });
    expect(code.attempts).toHaveLength(1);
    const [stored] = (await t.dataSource.query(`SELECT outputs FROM node_executions WHERE execution_id = $1 AND node_id = 'code'`, [id])) as Array<{
      outputs: unknown;
    }>;
    expect(stored!.outputs).toEqual({});
    expect(await charges(id)).toHaveLength(1);
  });

  it('stops re-running a node after executor.max_resumes lease lapses: FAILED with WORKER_LOST, the attempt charged once', async () => {
    const id = await start('hold');
    for (let lapse = 1; lapse <= 4; lapse++) {
      // The worker holds the node RUNNING (the peer never answers); take its lease away as a crash would.
      await waitFor(
        () => peer.count('/hold'),
        (n) => n === lapse,
        { timeoutMs: 15_000, what: `run ${lapse} of the node to reach the peer` },
      );
      await t.dataSource.query(`UPDATE executions SET lease_owner = 'crashed-worker', lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
    }
    const row = await finished(id, 20_000);
    expect(row).toMatchObject({ status: 'FAILED', error: { code: 'WORKER_LOST', node_id: 'call' } });
    expect(row.error!.message).toContain('executor.max_resumes (3)');
    expect(peer.count('/hold')).toBe(4);
    const call = (await nodes(id)).find((n) => n.node_id === 'call')!;
    expect(call).toMatchObject({ status: 'CANCELLED', resumes: 4 });
    // Every run was attempt 1: one charge, however often it was resumed.
    expect(call.attempts.map((a) => a.attempt)).toEqual([1, 1, 1, 1]);
    expect((await charges(id)).map((c) => [Number(c.attempt), Number(c.amount)])).toEqual([[1, -1]]);
  }, 60_000);
});

describe('poison values in requests', () => {
  let t: TestApp;
  const api = () => request(t.http);

  beforeAll(async () => {
    t = await createTestApp({
      label: 'secpoisonreq',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, limits: { max_json_depth: 8 } },
    });
    await createAgent(t, webhookAgent('hook'));
    await saveAgent(t.dataSource, {
      name: 'echo',
      nodes: { text: node('input', { name: 'text', type: 'string' }), result: node('output', { name: 'result' }) },
      links: [link('text.value', 'result.value')],
    });
  });
  afterAll(async () => {
    if (t) await expectNoExecutionLeftRunning(t.dataSource);
    await t?.close();
  });

  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('answers 400 naming the JSON path for U+0000 anywhere in an API body', async () => {
    const res = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ADMIN)
      .set('content-type', 'application/json')
      .send('{"inputs": {"text": "a\\u0000b"}}');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { problems: [{ pointer: '/inputs/text', message: expect.stringContaining('U+0000') }] },
    });
    expect(res.body.error.message).toContain('/inputs/text');
    const key = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ADMIN)
      .set('content-type', 'application/json')
      .send('{"inputs": {"t\\u0000": 1}}');
    expect(key.status).toBe(400);
    expect(key.body.error.details.problems[0].pointer).toBe('/inputs/t\u0000');
  });

  it('answers 400 for an API body nested deeper than limits.max_json_depth', async () => {
    const res = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ADMIN)
      .set('content-type', 'application/json')
      .send(`{"inputs": {"text": ${nested(8)}}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('limits.max_json_depth (8 levels)');
  });

  it('answers 400 for an encoded NUL in a URL', async () => {
    const res = await api().get('/api/graphs/ec%00ho').set('X-API-Key', ADMIN);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('%00');
  });

  it('answers 400 for a webhook body with U+0000 (JSON or text) or nested too deep, and starts nothing', async () => {
    const json = await api().post('/webhooks/hook/hook').set('content-type', 'application/json').send('{"a": ["\\u0000"]}');
    expect(json.status).toBe(400);
    expect(json.body.error.details.problems).toEqual([{ pointer: '/a/0', message: expect.stringContaining('U+0000') }]);
    const text = await api().post('/webhooks/hook/hook').set('content-type', 'text/plain').send('a\u0000b');
    expect(text.status).toBe(400);
    const deep = await api().post('/webhooks/hook/hook').set('content-type', 'application/json').send(nested(100_000));
    expect(deep.status).toBe(400);
    expect(deep.body.error.message).toMatch(/max_json_depth|not valid JSON/);
    const [{ count }] = (await t.dataSource.query(`SELECT count(*)::int AS count FROM executions`)) as [{ count: number }];
    expect(count).toBe(0);
    const fine = await api().post('/webhooks/hook/hook?wait=10s').set('content-type', 'application/json').send(nested(8));
    expect(fine.status).toBe(200);
  });
});
