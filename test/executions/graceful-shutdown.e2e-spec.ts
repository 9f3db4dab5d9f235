// Graceful shutdown: closing a worker app mid-run lets its running node finish within
// executor.shutdown_grace, then gives the lease back, and another worker (same database and queue)
// finishes the execution at once, without waiting for the lease (30 s) to lapse.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { startHttpPeer, type HttpPeer } from './http-peer.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-shutdown';

describe('graceful shutdown of a worker', () => {
  let t: TestApp;
  let peer: HttpPeer;
  const workers: TestApp[] = [];
  const row = async (id: string) =>
    (
      (await t.dataSource.query(`SELECT status, outputs, lease_owner FROM executions WHERE id = $1`, [id])) as Array<{
        status: string;
        outputs: unknown;
        lease_owner: string | null;
      }>
    )[0]!;
  const nodes = async (id: string) =>
    (await t.dataSource.query(`SELECT node_id, status, attempts FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as Array<{
      node_id: string;
      status: string;
      attempts: Array<{ error: { code: string; message: string } | null }>;
    }>;

  /** A worker-role app over the test app's database and queue prefix (a second process, in one). */
  async function startWorker(): Promise<TestApp> {
    const worker = await createTestApp({
      label: 'execshutdownworker',
      database: t.database,
      queuePrefix: t.config.queuePrefix,
      redis: true,
      role: 'worker',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, http: { allow_private_addresses: true }, executor: { shutdown_grace: '1s', lease: '30s' } },
    });
    workers.push(worker);
    return worker;
  }

  const heldUntilReleased = (path: string) => (p: string) => (p === path ? ('hold' as const) : 200);

  beforeAll(async () => {
    peer = await startHttpPeer(() => 200);
    t = await createTestApp({
      label: 'execshutdown',
      redis: true,
      role: 'api',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false } },
    });
    const callAgent = (name: string, path: string) =>
      echoAgent(name, { call: node('http.request', { url: `${peer.url}${path}`, method: 'POST' }), wait: node('time.delay', { duration: '300ms' }) }, [
        link('text.value', 'call.body'),
        link('call.status', 'wait.value'),
        link('wait.value', 'result.value'),
      ]);
    await saveAgent(t.dataSource, callAgent('finishes-in-grace', '/quick'));
    await saveAgent(t.dataSource, callAgent('outlives-grace', '/stuck'));
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close();
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  async function startOnFirstWorker(agent: string, path: string): Promise<{ first: TestApp; id: string }> {
    const first = await startWorker();
    const res = await request(t.http)
      .post(`/api/graphs/${agent}/execute`)
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(
      () => peer.count(path),
      (n) => n === 1,
      { what: 'the request to reach the peer from the first worker' },
    );
    return { first, id };
  }

  it('lets a running node finish within the grace, gives the lease back, and another worker goes on without re-running it', async () => {
    peer.setPlan(heldUntilReleased('/quick'));
    const { first, id } = await startOnFirstWorker('finishes-in-grace', '/quick');
    const firstOwner = (await row(id)).lease_owner;
    expect(firstOwner).toEqual(expect.any(String));
    await startWorker();
    const closing = first.close();
    setTimeout(() => peer.releaseAll(200), 200);
    await closing;
    const done = await waitFor(
      () => row(id),
      (r) => r.status === 'COMPLETED',
      { timeoutMs: 10_000, what: 'the second worker to finish it' },
    );
    expect(done.outputs).toEqual({ result: [200] });
    expect(peer.count('/quick')).toBe(1);
    const rows = await nodes(id);
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ['text', 'COMPLETED'],
      ['call', 'COMPLETED'],
      ['wait', 'COMPLETED'],
      ['result', 'COMPLETED'],
    ]);
    expect(rows[1]!.attempts).toHaveLength(1);
  });

  it('stops a node that outlives the grace, gives the lease back at once, and another worker re-runs it', async () => {
    peer.setPlan((p, n) => (p === '/stuck' && n === 1 ? 'hold' : 200));
    const { first, id } = await startOnFirstWorker('outlives-grace', '/stuck');
    await startWorker();
    const closedAt = Date.now();
    await first.close();
    // The grace is 1 s: the held request was cut off, not awaited.
    expect(Date.now() - closedAt).toBeLessThan(5_000);
    await waitFor(
      () => peer.aborted('/stuck'),
      (n) => n === 1,
      { what: 'the stuck request to be aborted' },
    );
    // Far sooner than the 30 s lease: it was given back, not left to lapse.
    const done = await waitFor(
      () => row(id),
      (r) => r.status === 'COMPLETED',
      { timeoutMs: 10_000, what: 'the second worker to finish it' },
    );
    expect(done.outputs).toEqual({ result: [200] });
    expect(peer.count('/stuck')).toBe(2);
    const call = (await nodes(id)).find((r) => r.node_id === 'call')!;
    expect(call.status).toBe('COMPLETED');
    expect(call.attempts).toHaveLength(2);
    expect(call.attempts[0]!.error).toMatchObject({ code: 'NODE_FAILED' });
    expect(call.attempts[1]!.error).toBeNull();
  });
});
