// A held execution's lease is renewed while it runs (not in the first half tick after it was taken: short
// executions end unrenewed), so an execution that outlives several leases is never taken over. Its node is a
// request the peer answers late (running, so the execution is held, never parked as a long delay would be).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-lease-renewal-0123';
const LEASE_MS = 1000;
/** Past two leases with a second to spare, so a busy machine's slow poll still sees the node running. */
const ANSWER_AFTER_MS = 3500;

describe('lease renewal', () => {
  let t: TestApp;
  let peer: HttpPeer;

  beforeAll(async () => {
    peer = await startHttpPeer((_req, res) => void setTimeout(() => sendJson(res, 200, { ok: true }), ANSWER_AFTER_MS));
    t = await createTestApp({
      label: 'leaserenew',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, executor: { lease: `${LEASE_MS}ms` }, http: { allow_private_addresses: true } },
    });
    await saveAgent(
      t.dataSource,
      echoAgent('outlives', { call: node('http.request', { method: 'POST', url: `${peer.url}/slow` }) }, [
        link('text.value', 'call.body'),
        link('call.json.ok', 'result.value'),
      ]),
    );
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('keeps the lease of an execution that outlives it, so it completes on its first claim', async () => {
    const res = await request(t.http)
      .post('/api/graphs/outlives/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const lease = () =>
      t.dataSource.query(
        `SELECT status, lease_until > now() AS held, started_at < now() - interval '${LEASE_MS * 2} milliseconds' AS old FROM executions WHERE id = $1`,
        [id],
      ) as Promise<Array<{ status: string; held: boolean; old: boolean }>>;
    // Two leases after its start it is still held: renewed.
    const [late] = await waitFor(lease, (rows) => rows[0]?.old === true || rows[0]?.status === 'COMPLETED', { what: 'two leases to pass', timeoutMs: 10_000 });
    expect(late).toMatchObject({ status: 'RUNNING', held: true });
    await waitFor(lease, (rows) => rows[0]?.status === 'COMPLETED', { what: 'the execution to complete', timeoutMs: 10_000 });
    const [call] = (await t.dataSource.query(`SELECT attempts, resumes FROM node_executions WHERE execution_id = $1 AND node_id = 'call'`, [id])) as Array<{
      attempts: unknown[];
      resumes: number;
    }>;
    // Never taken over: one attempt, no resume, and the peer asked once.
    expect(call).toMatchObject({ resumes: 0, attempts: [expect.anything()] });
    expect(peer.requests.length).toBe(1);
  });
});
