// An execution waiting on wait.event survives kill -9 of the worker process that parked it: the wait holds
// no worker, the event posted while no worker runs is consumed once, and the next worker resumes the
// execution exactly once (one wait node, one output, one consumed event).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { apiAppWithWorker, ensureServerBuilt, type ServerProcess, type ServerProcesses } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';

const ADMIN = 'test-admin-key-wait-event-recovery-01';

describe('a wait.event across kill -9 of the worker', () => {
  let t: TestApp;
  let workers: ServerProcesses;
  let firstWorker: ServerProcess;

  beforeAll(async () => {
    await ensureServerBuilt();
    // The first test's worker boots beside the app.
    ({ t, workers, firstWorker } = await apiAppWithWorker(
      { label: 'waiteventrecover', env: { TRELLIS_ADMIN_API_KEY: ADMIN } },
      {
        env: { TRELLIS_ADMIN_API_KEY: ADMIN, TRELLIS_EXECUTOR__LEASE: '2s', TRELLIS_EXECUTOR__SWEEP_INTERVAL: '250ms', TRELLIS_QUEUE__LEASE: '2s' },
      },
    ));
    await saveAgent(t.dataSource, {
      name: 'parked',
      nodes: {
        key: node('input', { name: 'key', type: 'string' }),
        wait: node('wait.event', { timeout: '5m' }),
        event: node('output', { name: 'event' }),
      },
      links: [link('key.value', 'wait.key'), link('wait.event', 'event.value')],
    });
  }, 300_000);

  afterAll(async () => {
    await workers?.killAll();
    await t?.close();
  });

  it('resumes exactly once on a second worker when the event arrives after the first was killed', async () => {
    const first = firstWorker;
    const res = await request(t.http)
      .post('/api/graphs/parked/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { key: 'invoice-7' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(
      () =>
        t.dataSource.query(
          `SELECT n.status, e.lease_owner FROM node_executions n JOIN executions e ON e.id = n.execution_id WHERE n.execution_id = $1 AND n.node_id = 'wait'`,
          [id],
        ) as Promise<Array<{ status: string; lease_owner: string | null }>>,
      (rows) => rows[0]?.status === 'WAITING' && rows[0].lease_owner === null,
      { timeoutMs: 30_000, what: 'the wait.event node WAITING and the execution parked (no worker holds it)' },
    );
    await first.kill();

    const posted = await request(t.http)
      .post('/webhooks/parked/wait/events/invoice-7')
      .set('X-API-Key', ADMIN)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ amount: 42 }));
    expect(posted.status).toBe(202);
    // Nobody runs it: the event is consumed for the waiter, the execution still waits for a worker.
    const consumed = (await t.dataSource.query(`SELECT consumed_by FROM wait_events WHERE key = 'invoice-7'`)) as Array<{ consumed_by: string | null }>;
    expect(consumed).toHaveLength(1);
    expect(consumed[0]!.consumed_by).not.toBeNull();
    expect((await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body.status).toBe('RUNNING');

    workers.start('worker');
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs FROM executions WHERE id = $1`, [id]) as Promise<Array<{ status: string; outputs: unknown }>>,
      (rows) => rows[0]?.status === 'COMPLETED',
      { timeoutMs: 60_000, what: 'the second worker to resume the execution' },
    );
    expect(done[0]!.outputs).toEqual({ event: [{ amount: 42 }] });
    const nodes = (await t.dataSource.query(`SELECT node_id, status FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as Array<{
      node_id: string;
      status: string;
    }>;
    expect(nodes.filter((n) => n.node_id === 'wait')).toEqual([{ node_id: 'wait', status: 'COMPLETED' }]);
    expect(nodes.filter((n) => n.node_id === 'event')).toEqual([{ node_id: 'event', status: 'COMPLETED' }]);
    const events = (await t.dataSource.query(`SELECT count(*)::int AS n FROM wait_events WHERE key = 'invoice-7'`)) as Array<{ n: number }>;
    expect(events[0]!.n).toBe(1);
  }, 150_000);
});
