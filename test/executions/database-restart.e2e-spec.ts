// Postgres going away mid-run (every backend of the test database terminated, new connections refused for
// a while, as during a restart): the API answers 503 UNAVAILABLE instead of crashing, and the worker
// finishes the execution by itself once the database is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { adminQuery } from '../helpers/database.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-pgrestart';

describe.each([
  ['in-process', false],
  ['bullmq', true],
])('Postgres restarting mid-run (%s dispatch)', (label, redis) => {
  let t: TestApp;
  const api = () => request(t.http);

  // One connection of ours stays (never terminated): a concurrent jest run's global setup drops test
  // databases that nobody is connected to, and this one must survive its outage.
  let guard: pg.Client | null = null;
  async function takeDatabaseDown(): Promise<void> {
    guard = new pg.Client({ connectionString: t.database.url });
    await guard.connect();
    const { rows } = await guard.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await adminQuery(`ALTER DATABASE ${t.database.name} ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`, [t.database.name, rows[0]!.pid]);
  }
  async function bringDatabaseBack(): Promise<void> {
    await adminQuery(`ALTER DATABASE ${t.database.name} ALLOW_CONNECTIONS true`);
    await guard?.end();
    guard = null;
  }

  beforeAll(async () => {
    t = await createTestApp({
      label: `execpg${label}`,
      redis,
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, executor: { lease: '1s', sweep_interval: '250ms' } },
      captureLogs: { level: 'warn', logger: 'plain' },
    });
    await saveAgent(
      t.dataSource,
      echoAgent('pause', { wait: node('time.delay', { duration: '1s' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
    );
  });
  afterAll(async () => {
    await bringDatabaseBack().catch(() => undefined);
    await t?.close();
  });

  it('answers 503 while the database is away, and the worker resumes the execution once it is back', async () => {
    const res = await api()
      .post('/api/graphs/pause/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'survived' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    // A caller waiting on an execution (?wait) across the outage gets its answer once the database is back.
    const waiting = api()
      .post('/api/graphs/pause/execute?wait=20s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'waited' } })
      .then((r) => r);
    await waitFor(
      () => t.dataSource.query(`SELECT count(*)::int AS n FROM node_executions WHERE node_id = 'wait' AND status = 'WAITING'`),
      (rows: Array<{ n: number }>) => rows[0]?.n === 2,
      { what: 'both delays to wait' },
    );
    const [{ due }] = (await t.dataSource.query(`SELECT max(resume_at) AS due FROM node_executions WHERE node_id = 'wait' AND status = 'WAITING'`)) as [
      { due: Date },
    ];

    await takeDatabaseDown();
    try {
      const down = await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN);
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(/database is unreachable.*Try again/),
        request_id: expect.any(String),
      });
      expect(down.headers['retry-after']).toBe('5');
      expect(JSON.stringify(down.body)).not.toMatch(/ALLOW_CONNECTIONS|pg_|terminat/i);
      const execute = await api()
        .post('/api/graphs/pause/execute')
        .set('X-API-Key', ADMIN)
        .send({ inputs: { text: 'refused' } });
      expect(execute.status).toBe(503);
      // Still alive: the liveness probe does not touch the database.
      expect((await api().get('/health')).status).toBe(200);
      // Keep it down until the delays are due and the worker has failed a step write on it (an error logged
      // after the due time; the 503s above were logged before), so the worker's step write fails.
      await waitFor(
        () => t.logs().filter((line) => Number(line.level) >= 50 && Number(line.time) >= due.getTime()).length,
        (failures) => failures > 0 && Date.now() >= due.getTime(),
        { timeoutMs: 15_000, what: 'the worker to run into the outage after the delays were due' },
      );
    } finally {
      await bringDatabaseBack();
    }

    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs, error FROM executions WHERE id = $1`, [id]).catch(() => []),
      (rows: Array<{ status: string }>) => ['COMPLETED', 'FAILED'].includes(rows[0]?.status ?? ''),
      { timeoutMs: 20_000, what: 'the worker to finish the execution' },
    );
    expect(done[0]).toEqual({ status: 'COMPLETED', outputs: { result: ['survived'] }, error: null });
    const after = await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN);
    expect(after.status).toBe(200);
    expect(after.body.node_executions.map((n: { node_id: string; status: string }) => [n.node_id, n.status])).toEqual([
      ['text', 'COMPLETED'],
      ['wait', 'COMPLETED'],
      ['result', 'COMPLETED'],
    ]);
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ status: 'COMPLETED', outputs: { result: ['waited'] } });
    const later = await api()
      .post('/api/graphs/pause/execute?wait=15s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'again' } });
    expect(later.body).toMatchObject({ status: 'COMPLETED', outputs: { result: ['again'] } });
  }, 60_000);
});
