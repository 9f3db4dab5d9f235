// A held execution's lease is renewed while it runs (not in the first half tick after it was taken: short
// executions end unrenewed), so an execution that outlives several leases is never taken over.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-lease-renewal-0123';
const LEASE_MS = 600;

describe('lease renewal', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      label: 'leaserenew',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, executor: { lease: `${LEASE_MS}ms` } },
    });
    // Shorter than a park (the execution stays held), longer than two leases.
    await saveAgent(
      t.dataSource,
      echoAgent('outlives', { wait: node('time.delay', { duration: '1600ms' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
    );
  });
  afterAll(async () => t?.close());

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
    const [wait] = (await t.dataSource.query(`SELECT attempts, resumes FROM node_executions WHERE execution_id = $1 AND node_id = 'wait'`, [id])) as Array<{
      attempts: unknown[];
      resumes: number;
    }>;
    expect(wait).toMatchObject({ resumes: 0 });
  });
});
