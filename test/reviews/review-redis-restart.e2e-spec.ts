// A waiting review survives a Redis restart that loses everything Redis held (a private redis-server without
// persistence, killed with SIGKILL and started again empty): Postgres is the durable store, so the decision
// made while Redis is down, or just after it is back, is applied once the queue works again, exactly once; and an
// execution requested while Redis is down is accepted (stored, 202) and runs when it is back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureServerBuilt, ServerProcesses } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { saveGuardedAgent } from './guarded-agent.fixture.js';

const ADMIN = 'test-admin-key-review-redis-restart';
const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

(HAS_REDIS ? describe : describe.skip)('a waiting review across a Redis restart that loses its data', () => {
  let t: TestApp;
  let port: number;
  let redis: ChildProcess | null = null;
  let worker: ServerProcesses | undefined;

  async function startRedis(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    redis = child;
    await waitFor(
      () => out,
      (text) => /Ready to accept connections/.test(text),
      { timeoutMs: 20_000, what: 'the private redis-server to accept connections' },
    );
  }

  async function killRedis(): Promise<void> {
    const child = redis!;
    child.kill('SIGKILL');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, Boolean, { what: 'redis-server to die' });
  }

  beforeAll(async () => {
    await ensureServerBuilt();
    port = await freePort();
    await startRedis();
    const redisUrl = `redis://127.0.0.1:${port}`;
    t = await createTestApp({
      label: 'reviewredis',
      redis: true,
      role: 'api',
      env: { REDIS_URL: redisUrl, TRELLIS_ADMIN_API_KEY: ADMIN },
      // The worker boots beside the app.
      beforeBoot: (app) => {
        worker = new ServerProcesses({
          app,
          redisUrl,
          logLevel: 'fatal',
          stderr: 'ignore',
          env: { TRELLIS_ADMIN_API_KEY: ADMIN, TRELLIS_EXECUTOR__LEASE: '2s', TRELLIS_EXECUTOR__SWEEP_INTERVAL: '250ms', TRELLIS_QUEUE__LEASE: '2s' },
        });
        worker.start('worker');
      },
    });
    await saveGuardedAgent(t.dataSource);
  }, 300_000);

  afterAll(async () => {
    await worker?.killAll();
    await t?.close();
    if (redis && redis.exitCode === null) redis.kill('SIGKILL');
  });

  async function parked(text: string): Promise<{ id: string; review: string }> {
    const res = await request(t.http).post('/api/graphs/guarded/execute').set('X-API-Key', ADMIN).send({ inputs: { text } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const [row] = await waitFor(
      () =>
        t.dataSource.query(
          `SELECT r.id, n.status AS node_status, e.lease_owner FROM reviews r JOIN node_executions n ON n.id = r.node_execution_id
           JOIN executions e ON e.id = r.execution_id WHERE r.execution_id = $1`,
          [id],
        ) as Promise<Array<{ id: string; node_status: string; lease_owner: string | null }>>,
      (rows) => rows[0]?.node_status === 'WAITING' && rows[0].lease_owner === null,
      { timeoutMs: 60_000, what: 'the review WAITING and the execution parked' },
    );
    return { id, review: row!.id };
  }

  async function finished(id: string): Promise<{ status: string; outputs: Record<string, unknown[]> }> {
    const [done] = await waitFor(
      () =>
        t.dataSource.query(`SELECT status, outputs FROM executions WHERE id = $1`, [id]) as Promise<
          Array<{ status: string; outputs: Record<string, unknown[]> }>
        >,
      (rows) => rows[0]?.status === 'COMPLETED' || rows[0]?.status === 'FAILED',
      { timeoutMs: 90_000, what: 'the execution to finish after Redis came back' },
    );
    return done!;
  }

  async function nodeRuns(id: string): Promise<Record<string, number>> {
    const rows = (await t.dataSource.query(`SELECT node_id, count(*)::int AS n FROM node_executions WHERE execution_id = $1 GROUP BY node_id`, [id])) as Array<{
      node_id: string;
      n: number;
    }>;
    return Object.fromEntries(rows.map((row) => [row.node_id, row.n]));
  }

  it('applies a decision made while Redis was down once Redis is back, exactly once', async () => {
    const { id, review } = await parked('while-down');
    await killRedis();
    // The decision is stored in Postgres; its wake-up cannot reach the queue now.
    const decided = await request(t.http).post(`/api/reviews/${review}`).set('X-API-Key', ADMIN).send({ decision: 'approve' });
    expect(decided.status).toBe(200);
    await startRedis();
    const done = await finished(id);
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { approved: ['while-down'] } });
    expect(await nodeRuns(id)).toMatchObject({ review: 1, approved: 1 });
  }, 240_000);

  it('applies a decision made after Redis came back empty, exactly once', async () => {
    const { id, review } = await parked('after-restart');
    await killRedis();
    await startRedis();
    const decided = await request(t.http).post(`/api/reviews/${review}`).set('X-API-Key', ADMIN).send({ decision: 'approve' });
    expect(decided.status).toBe(200);
    const done = await finished(id);
    expect(done).toMatchObject({ status: 'COMPLETED', outputs: { approved: ['after-restart'] } });
    expect(await nodeRuns(id)).toMatchObject({ review: 1, approved: 1 });
  }, 240_000);

  it('accepts an execution while Redis is down (202, stored) and runs it once Redis is back', async () => {
    await killRedis();
    const res = await request(t.http)
      .post('/api/graphs/guarded/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'accepted-while-down' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const [stored] = (await t.dataSource.query(`SELECT status FROM executions WHERE id = $1`, [id])) as Array<{ status: string }>;
    expect(stored).toEqual({ status: 'QUEUED' });
    await startRedis();
    const [review] = await waitFor(
      () => t.dataSource.query(`SELECT id FROM reviews WHERE execution_id = $1`, [id]) as Promise<Array<{ id: string }>>,
      (rows) => rows.length === 1,
      { timeoutMs: 60_000, what: 'the execution to reach its review once Redis is back' },
    );
    const decided = await request(t.http).post(`/api/reviews/${review!.id}`).set('X-API-Key', ADMIN).send({ decision: 'approve' });
    expect(decided.status).toBe(200);
    expect(await finished(id)).toMatchObject({ status: 'COMPLETED', outputs: { approved: ['accepted-while-down'] } });
    expect(await nodeRuns(id)).toMatchObject({ review: 1, approved: 1 });
  }, 240_000);
});
