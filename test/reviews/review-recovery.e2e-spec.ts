// A waiting review survives kill -9 of the worker process that parked it: the review stays pending and
// holds no worker, a decision made while no worker runs is applied by the next worker exactly once; and a
// worker killed while it applies decisions (several at once, killed as they arrive) leaves each to be
// applied exactly once by the next.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { apiAppWithWorker, ensureServerBuilt, type ServerProcess, type ServerProcesses } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { saveGuardedAgent } from './guarded-agent.fixture.js';

const ADMIN = 'test-admin-key-review-recovery-0123';

describe('a waiting review across kill -9', () => {
  let t: TestApp;
  let workers: ServerProcesses;
  let firstWorker: ServerProcess;

  beforeAll(async () => {
    await ensureServerBuilt();
    // The first test's worker boots beside the app.
    ({ t, workers, firstWorker } = await apiAppWithWorker(
      { label: 'reviewrecover', env: { TRELLIS_ADMIN_API_KEY: ADMIN } },
      {
        env: { TRELLIS_ADMIN_API_KEY: ADMIN, TRELLIS_EXECUTOR__LEASE: '2s', TRELLIS_EXECUTOR__SWEEP_INTERVAL: '250ms', TRELLIS_QUEUE__LEASE: '2s' },
      },
    ));
    await saveGuardedAgent(t.dataSource);
  }, 300_000);

  afterAll(async () => {
    await workers?.killAll();
    await t?.close();
  });

  it('keeps the review pending after kill -9, and the next worker applies the decision exactly once', async () => {
    const first = firstWorker;
    const res = await request(t.http)
      .post('/api/graphs/guarded/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'v1' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const [review] = await waitFor(
      () =>
        t.dataSource.query(
          `SELECT r.id, n.status AS node_status, e.lease_owner FROM reviews r JOIN node_executions n ON n.id = r.node_execution_id
           JOIN executions e ON e.id = r.execution_id WHERE r.execution_id = $1`,
          [id],
        ) as Promise<Array<{ id: string; node_status: string; lease_owner: string | null }>>,
      (rows) => rows[0]?.node_status === 'WAITING' && rows[0].lease_owner === null,
      { timeoutMs: 30_000, what: 'the review WAITING and the execution parked (no worker holds it)' },
    );
    await first.kill();

    const decided = await request(t.http).post(`/api/reviews/${review!.id}`).set('X-API-Key', ADMIN).send({ decision: 'approve', comment: 'ok' });
    expect(decided.status).toBe(200);
    expect((await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body.status).toBe('RUNNING');

    workers.start('worker');
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs FROM executions WHERE id = $1`, [id]) as Promise<Array<{ status: string; outputs: unknown }>>,
      (rows) => rows[0]?.status === 'COMPLETED',
      { timeoutMs: 60_000, what: 'the second worker to apply the decision' },
    );
    expect(done[0]!.outputs).toEqual({ approved: ['v1'] });
    const nodes = (await t.dataSource.query(`SELECT node_id, status FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as Array<{
      node_id: string;
      status: string;
    }>;
    expect(nodes.filter((n) => n.node_id === 'review')).toEqual([{ node_id: 'review', status: 'COMPLETED' }]);
    expect(nodes.filter((n) => n.node_id === 'approved')).toHaveLength(1);
    expect(((await t.dataSource.query(`SELECT count(*)::int AS n FROM reviews WHERE execution_id = $1`, [id])) as Array<{ n: number }>)[0]!.n).toBe(1);
  }, 150_000);

  it('applies each decision exactly once when the worker is killed while applying them', async () => {
    // Only the worker killed below runs: the previous test's second worker when it still runs (the rest are stopped).
    const first = await workers.sole('worker');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.http)
        .post('/api/graphs/guarded/execute')
        .set('X-API-Key', ADMIN)
        .send({ inputs: { text: `m${i}` } });
      expect(res.status).toBe(202);
      ids.push(res.body.id as string);
    }
    const reviews = await waitFor(
      () =>
        t.dataSource.query(
          `SELECT r.id FROM reviews r JOIN node_executions n ON n.id = r.node_execution_id JOIN executions e ON e.id = r.execution_id
           WHERE r.execution_id = ANY($1::uuid[]) AND n.status = 'WAITING' AND e.lease_owner IS NULL`,
          [ids],
        ) as Promise<Array<{ id: string }>>,
      (rows) => rows.length === ids.length,
      { timeoutMs: 60_000, what: 'five reviews WAITING with their executions parked' },
    );
    // Decide them all at once and kill the worker while it wakes up to apply them.
    const decided = await Promise.all(reviews.map((r) => request(t.http).post(`/api/reviews/${r.id}`).set('X-API-Key', ADMIN).send({ decision: 'approve' })));
    const killed = first.kill();
    expect(decided.map((d) => d.status)).toEqual(ids.map(() => 200));
    await killed;

    workers.start('worker');
    const done = await waitFor(
      () =>
        t.dataSource.query(`SELECT id, status, outputs FROM executions WHERE id = ANY($1::uuid[])`, [ids]) as Promise<
          Array<{ id: string; status: string; outputs: Record<string, unknown[]> }>
        >,
      (rows) => rows.length === ids.length && rows.every((r) => r.status === 'COMPLETED'),
      { timeoutMs: 60_000, what: 'the next worker to finish every execution' },
    ).catch(async (error: unknown) => {
      const state = await t.dataSource.query(
        `SELECT e.id, e.status, e.lease_owner, e.lease_until, e.waiting_since, r.status AS review, n.status AS node, n.resume_at FROM executions e
         JOIN reviews r ON r.execution_id = e.id JOIN node_executions n ON n.id = r.node_execution_id WHERE e.id = ANY($1::uuid[])`,
        [ids],
      );
      throw new Error(`${String(error)}\n${JSON.stringify(state)}`);
    });
    for (const row of done) expect(row.outputs).toEqual({ approved: [`m${ids.indexOf(row.id)}`] });
    const nodes = (await t.dataSource.query(
      `SELECT node_id, status, count(*)::int AS n FROM node_executions WHERE execution_id = ANY($1::uuid[]) AND node_id IN ('review', 'approved')
       GROUP BY execution_id, node_id, status ORDER BY node_id`,
      [ids],
    )) as Array<{ node_id: string; status: string; n: number }>;
    expect(nodes).toEqual([
      ...ids.map(() => ({ node_id: 'approved', status: 'COMPLETED', n: 1 })),
      ...ids.map(() => ({ node_id: 'review', status: 'COMPLETED', n: 1 })),
    ]);
  }, 120_000);
});
