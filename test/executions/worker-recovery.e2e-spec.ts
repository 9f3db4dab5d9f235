// Recovery after kill -9 of a REAL worker process: a second worker claims the lapsed lease and resumes
// without running completed node executions again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { apiAppWithWorker, ensureServerBuilt, type ServerProcess, type ServerProcesses } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { startHttpPeer, type HttpPeer } from './http-peer.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-recovery';

describe('worker recovery', () => {
  let t: TestApp;
  let peer: HttpPeer;
  let workers: ServerProcesses;
  let firstWorker: ServerProcess;

  beforeAll(async () => {
    await ensureServerBuilt(); // the workers are the built server (node dist/src/main.js)
    // The first request to /hold is held open (the worker dies while it is RUNNING); later ones are answered.
    peer = await startHttpPeer((path, n) => (path === '/hold' && n === 1 ? 'hold' : 200));
    // The first test's worker boots beside the app.
    ({ t, workers, firstWorker } = await apiAppWithWorker(
      { label: 'execrecover', env: { TRELLIS_ADMIN_API_KEY: ADMIN } },
      {
        env: {
          TRELLIS_ADMIN_API_KEY: ADMIN,
          TRELLIS_EXECUTOR__LEASE: '2s',
          TRELLIS_EXECUTOR__SWEEP_INTERVAL: '250ms',
          TRELLIS_HTTP__ALLOW_PRIVATE_ADDRESSES: 'true',
        },
      },
    ));
    await saveAgent(
      t.dataSource,
      echoAgent('recover', { parse: node('json.parse'), wait: node('time.delay', { duration: '1500ms' }) }, [
        link('text.value', 'parse.text'),
        link('parse.value', 'wait.value'),
        link('wait.value', 'result.value'),
      ]),
    );
    await saveAgent(
      t.dataSource,
      echoAgent('recover-running', { parse: node('json.parse'), call: node('http.request', { url: `${peer.url}/hold`, method: 'POST' }) }, [
        link('text.value', 'parse.text'),
        link('parse.value', 'call.json'),
        link('call.status', 'result.value'),
      ]),
    );
  }, 300_000);
  afterAll(async () => {
    await workers?.killAll();
    await t?.close();
    await peer?.close();
  });

  it('resumes on another worker after kill -9, without re-running completed nodes', async () => {
    const first = firstWorker;
    const res = await request(t.http)
      .post('/api/graphs/recover/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: '{"n":7}' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const waiting = await waitFor(
      () =>
        t.dataSource.query(
          `SELECT e.lease_owner, n.status FROM executions e JOIN node_executions n ON n.execution_id = e.id AND n.node_id = 'wait' WHERE e.id = $1`,
          [id],
        ),
      (rows: Array<{ lease_owner: string | null; status: string }>) => rows[0]?.status === 'WAITING',
      { timeoutMs: 30_000, what: 'the first worker to reach the delay' },
    );
    await first.kill();
    workers.start('worker');
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs, lease_owner FROM executions WHERE id = $1`, [id]),
      (rows: Array<{ status: string; outputs: unknown }>) => rows[0]?.status === 'COMPLETED',
      { timeoutMs: 30_000, what: 'the second worker to finish it' },
    );
    expect(done[0]!.outputs).toEqual({ result: [{ n: 7 }] });
    const parse = (await t.dataSource.query(`SELECT attempts FROM node_executions WHERE execution_id = $1 AND node_id = 'parse'`, [id])) as Array<{
      attempts: unknown[];
    }>;
    expect(parse).toHaveLength(1);
    expect(parse[0]!.attempts).toHaveLength(1);
    expect(waiting[0]!.lease_owner).toEqual(expect.any(String));
  }, 60_000);

  it('re-runs a node that was RUNNING when its worker was killed, exactly once more as the same attempt (charged once), and nothing completed', async () => {
    // Only the worker killed below may hold the execution: the previous test's second worker when it still runs.
    const first = await workers.sole('worker');
    const res = await request(t.http)
      .post('/api/graphs/recover-running/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: '{"n":8}' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(
      () => t.dataSource.query(`SELECT status FROM node_executions WHERE execution_id = $1 AND node_id = 'call'`, [id]),
      (rows: Array<{ status: string }>) => rows[0]?.status === 'RUNNING',
      { timeoutMs: 30_000, what: 'the request to be RUNNING' },
    );
    await waitFor(
      () => peer.count('/hold'),
      (n) => n === 1,
      { what: 'the held request to reach the peer' },
    );
    await first.kill();
    workers.start('worker');
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs, error FROM executions WHERE id = $1`, [id]),
      (rows: Array<{ status: string }>) => ['COMPLETED', 'FAILED'].includes(rows[0]?.status ?? ''),
      { timeoutMs: 30_000, what: 'the second worker to finish it' },
    );
    expect(done[0]).toEqual({ status: 'COMPLETED', outputs: { result: [200] }, error: null });
    expect(peer.count('/hold')).toBe(2);
    const rows = (await t.dataSource.query(`SELECT node_id, status, attempts FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as Array<{
      node_id: string;
      status: string;
      attempts: Array<{ attempt: number; ended_at: string | null; error: { code: string; message: string } | null }>;
    }>;
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ['text', 'COMPLETED'],
      ['parse', 'COMPLETED'],
      ['call', 'COMPLETED'],
      ['result', 'COMPLETED'],
    ]);
    expect(rows[1]!.attempts).toHaveLength(1);
    const call = rows[2]!.attempts;
    expect(call).toHaveLength(2);
    expect(call[0]!.error).toMatchObject({ code: 'NODE_FAILED', message: expect.stringContaining('crashed or lost its lease') });
    expect(call[0]!.ended_at).toEqual(expect.any(String));
    expect(call[1]!.error).toBeNull();
    // Credits: the completed json.parse (free) and the http.request attempt (1 credit) are charged once each;
    // the crash re-ran `call` as the same attempt 1 (release-2.md: an attempt is charged once however often
    // it is resumed), so nothing was charged twice.
    const charges = (await t.dataSource.query(
      `SELECT n.node_id, t.attempt, t.amount FROM credit_transactions t JOIN node_executions n ON n.id = t.node_execution_id WHERE t.execution_id = $1 AND t.type = 'USAGE' ORDER BY t.attempt`,
      [id],
    )) as Array<{ node_id: string; attempt: number; amount: string | number }>;
    expect(charges.map((c) => [c.node_id, Number(c.attempt), Math.abs(Number(c.amount))])).toEqual([['call', 1, 1]]);
    const [execution] = (await t.dataSource.query(`SELECT cost FROM executions WHERE id = $1`, [id])) as Array<{ cost: number }>;
    expect(execution!.cost).toBe(1);
    expect(call.map((a) => a.attempt)).toEqual([1, 1]);
  }, 60_000);
});
