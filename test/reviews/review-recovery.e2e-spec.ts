// A waiting review survives kill -9 of the worker process that parked it: the review stays pending and
// holds no worker, a decision made while no worker runs is applied by the next worker exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureBuilt, SERVER_MAIN } from '../helpers/built.js';
import { TEST_REDIS_URL } from '../helpers/queue.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';

const ADMIN = 'test-admin-key-review-recovery-0123';

describe('a waiting review across kill -9', () => {
  let t: TestApp;
  const workers: ChildProcess[] = [];

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [SERVER_MAIN, '--role', 'worker'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        TRELLIS_ENV: 'test',
        DATABASE_URL: t.database.url,
        REDIS_URL: TEST_REDIS_URL,
        TRELLIS_QUEUE_PREFIX: t.config.queuePrefix,
        TRELLIS_ADMIN_API_KEY: ADMIN,
        PORT: '0',
        LOG_LEVEL: 'warn',
        TRELLIS_EXECUTOR__LEASE: '2s',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    await ensureBuilt();
    t = await createTestApp({ label: 'reviewrecover', redis: true, role: 'api', env: { TRELLIS_ADMIN_API_KEY: ADMIN } });
    await saveAgent(t.dataSource, {
      name: 'guarded',
      nodes: {
        text: node('input', { name: 'text', type: 'string' }),
        review: node('human.review', { title: 'Ship it?', reviewers: { roles: ['admin'] } }),
        approved: node('output', { name: 'approved' }),
      },
      links: [link('text.value', 'review.data'), link('review.approved', 'approved.value')],
    });
  }, 300_000);

  afterAll(async () => {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
    await t?.close();
  });

  it('keeps the review pending after kill -9, and the next worker applies the decision exactly once', async () => {
    const first = startWorker();
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
    first.kill('SIGKILL');
    await waitFor(() => first.exitCode !== null || first.signalCode !== null, Boolean, { what: 'the worker to die' });

    const decided = await request(t.http).post(`/api/reviews/${review!.id}`).set('X-API-Key', ADMIN).send({ decision: 'approve', comment: 'ok' });
    expect(decided.status).toBe(200);
    expect((await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body.status).toBe('RUNNING');

    startWorker();
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs FROM executions WHERE id = $1`, [id]) as Promise<Array<{ status: string; outputs: unknown }>>,
      (rows) => rows[0]?.status === 'COMPLETED',
      { timeoutMs: 30_000, what: 'the second worker to apply the decision' },
    );
    expect(done[0]!.outputs).toEqual({ approved: ['v1'] });
    const nodes = (await t.dataSource.query(`SELECT node_id, status FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as Array<{
      node_id: string;
      status: string;
    }>;
    expect(nodes.filter((n) => n.node_id === 'review')).toEqual([{ node_id: 'review', status: 'COMPLETED' }]);
    expect(nodes.filter((n) => n.node_id === 'approved')).toHaveLength(1);
    expect(((await t.dataSource.query(`SELECT count(*)::int AS n FROM reviews WHERE execution_id = $1`, [id])) as Array<{ n: number }>)[0]!.n).toBe(1);
  }, 90_000);
});
