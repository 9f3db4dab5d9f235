// Who may run and see executions (402 on a zero balance, 404 for another user's), and stopping an
// execution while a block is RUNNING: CANCELLED within 2 s, the block aborted, nothing written after.
// Run on the in-process dispatcher and on BullMQ, since the stop reaches the worker differently.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { startHttpPeer, type HttpPeer } from './http-peer.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-access';

describe.each([
  ['in-process', false],
  ['bullmq', true],
])('execution access and stop (%s dispatch)', (label, redis) => {
  let t: TestApp;
  let peer: HttpPeer;
  let ada: { id: string; key: string };
  const api = () => request(t.http);

  beforeAll(async () => {
    peer = await startHttpPeer((path) => (path === '/hang' ? 'hold' : 200));
    t = await createTestApp({
      label: `execaccess${label}`,
      redis,
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { http: { allow_private_addresses: true } },
    });
    await saveAgent(t.dataSource, echoAgent('echo'));
    await saveAgent(
      t.dataSource,
      echoAgent('hang', { call: node('http.request', { url: `${peer.url}/hang`, method: 'POST' }) }, [
        link('text.value', 'call.body'),
        link('call.status', 'result.value'),
      ]),
    );
    const created = await api().post('/api/admin/users').set('X-API-Key', ADMIN).send({ handle: 'ada', email: 'ada@example.com', name: 'Ada' });
    expect(created.status).toBe(201);
    ada = { id: created.body.user.id as string, key: created.body.api_key.key as string };
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('answers 402 on a zero balance, creating nothing, and runs again after a top-up', async () => {
    await t.dataSource.query(`UPDATE credit_balances SET balance = 0 WHERE user_id = $1`, [ada.id]);
    const refused = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ada.key)
      .send({ inputs: { text: 'x' } });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { balance: 0 } });
    expect(refused.body.error.message).toContain('top-up');
    const count = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE user_id = $1`, [ada.id])) as Array<{ n: number }>;
    expect(count[0]!.n).toBe(0);
    await t.dataSource.query(`UPDATE credit_balances SET balance = 5 WHERE user_id = $1`, [ada.id]);
    const ok = await api()
      .post('/api/graphs/echo/execute?wait=10s')
      .set('X-API-Key', ada.key)
      .send({ inputs: { text: 'paid' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'COMPLETED', outputs: { result: ['paid'] } });
  });

  it("answers 404 for another user's execution on every path, and lists only the caller's", async () => {
    const mine = await api()
      .post('/api/graphs/echo/execute?wait=10s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'admin only' } });
    const id = mine.body.execution_id as string;
    for (const path of [`/api/executions/${id}`, `/api/executions/${id}/nodes`, `/api/executions/${id}/results`]) {
      const res = await api().get(path).set('X-API-Key', ada.key);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', details: { execution_id: id } });
    }
    expect((await api().post(`/api/executions/${id}/rerun`).set('X-API-Key', ada.key)).status).toBe(404);
    expect((await api().post(`/api/graphs/echo/executions/${id}/stop`).set('X-API-Key', ada.key)).status).toBe(404);
    const list = await api().get('/api/executions').set('X-API-Key', ada.key);
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((e: { user_id: string }) => e.user_id === ada.id)).toBe(true);
    expect((await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).status).toBe(200);
  });

  it('stops an execution whose block is RUNNING: CANCELLED within 2 s, the block aborted, nothing written after', async () => {
    const before = peer.aborted('/hang');
    const res = await api()
      .post('/api/graphs/hang/execute')
      .set('X-API-Key', ada.key)
      .send({ inputs: { text: 'x' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(
      () => t.dataSource.query(`SELECT status FROM node_executions WHERE execution_id = $1 AND node_id = 'call'`, [id]),
      (rows: Array<{ status: string }>) => rows[0]?.status === 'RUNNING',
      { what: 'the request to be RUNNING' },
    );
    await waitFor(
      () => peer.count('/hang'),
      (n) => n > 0,
      { what: 'the request to reach the peer' },
    );
    const asked = Date.now();
    const stopped = await api().post(`/api/graphs/hang/executions/${id}/stop`).set('X-API-Key', ada.key);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ id, status: 'CANCELLED', error: { code: 'CANCELLED' } });
    await waitFor(
      () => peer.aborted('/hang'),
      (n) => n > before,
      { timeoutMs: 2_000, what: 'the running block to be aborted' },
    );
    expect(Date.now() - asked).toBeLessThan(2_000);
    // The worker lets go: no lease, and a later look finds nothing rewritten by the aborted attempt.
    await waitFor(
      () => t.dataSource.query(`SELECT lease_owner FROM executions WHERE id = $1`, [id]),
      (rows: Array<{ lease_owner: string | null }>) => rows[0]?.lease_owner === null,
      { what: 'the lease to be gone' },
    );
    const after = await api().get(`/api/executions/${id}`).set('X-API-Key', ada.key);
    expect(after.body.status).toBe('CANCELLED');
    expect(after.body.node_executions.map((n: { node_id: string; status: string }) => [n.node_id, n.status])).toEqual([
      ['text', 'COMPLETED'],
      ['call', 'CANCELLED'],
    ]);
    expect(after.body.outputs).toBeNull();
  });
});
