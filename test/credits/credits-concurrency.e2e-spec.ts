// 50 executions at once against a balance that pays for exactly 10 node runs: exactly 10 run, the balance
// ends at 0 and never below, the ledger sums to the balance, and the alerts go out once each.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { EXECUTION_CHARGE_HOOK, type ExecutionChargeHook } from '../../src/executions/execution.hooks.js';
import { waitFor } from '../helpers/wait.js';
import { createCreditsTestApp, type CreditsTestApp } from './credits-app.js';
import { ADMIN_KEY, balanceOf, ledger, makeUser, saveOneNodeAgent, type MadeUser } from './credits.fixtures.js';

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

describe('credits under concurrency', () => {
  let t: CreditsTestApp;
  let user: MadeUser;

  beforeAll(async () => {
    t = await createCreditsTestApp('creditsconc', { env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    await saveOneNodeAgent(t.dataSource, 'bang');
    user = await makeUser(t, 'payer', { credits: 10 });
  });
  afterAll(async () => t?.close());

  it('runs exactly 10 of 50 concurrent executions of a cost-1 node on a balance of 10', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(t.http)
          .post('/api/graphs/bang/execute')
          .set('X-API-Key', user.key)
          .send({ inputs: { text: `n${i}` } }),
      ),
    );
    // Each answer is 202 (queued) or, once the balance is already 0, 402 with nothing created.
    for (const res of answers) expect([202, 402]).toContain(res.status);
    const refused = answers.filter((res) => res.status === 402);
    for (const res of refused) expect(res.body.error.code).toBe('INSUFFICIENT_CREDITS');
    const ids = answers.filter((res) => res.status === 202).map((res) => res.body.id as string);
    expect(ids.length).toBeGreaterThanOrEqual(10);

    const finals = await waitFor(
      () =>
        t.dataSource.query(`SELECT id, status, error, cost FROM executions WHERE user_id = $1`, [user.user.id]) as Promise<
          Array<{ id: string; status: string; error: { code: string } | null; cost: number }>
        >,
      (rows) => rows.length === ids.length && rows.every((r) => FINAL.has(r.status)),
      { timeoutMs: 60_000, what: 'every execution to finish' },
    );
    const completed = finals.filter((r) => r.status === 'COMPLETED');
    const failed = finals.filter((r) => r.status === 'FAILED');
    expect(completed).toHaveLength(10);
    expect(failed).toHaveLength(ids.length - 10);
    for (const row of failed) expect(row.error?.code).toBe('INSUFFICIENT_CREDITS');
    for (const row of completed) expect(Number(row.cost)).toBe(1);
    for (const row of failed) expect(Number(row.cost)).toBe(0);

    // The code.js node ran exactly 10 times; the refused ones failed before running.
    const runs: Array<{ status: string; n: number }> = await t.dataSource.query(
      `SELECT n.status, count(*)::int AS n FROM node_executions n JOIN executions e ON e.id = n.execution_id WHERE e.user_id = $1 AND n.node_id = 'run' GROUP BY n.status`,
      [user.user.id],
    );
    expect(runs.find((r) => r.status === 'COMPLETED')?.n).toBe(10);

    expect(await balanceOf(t.http, user.key)).toBe(0);
    const rows = await ledger(t.dataSource, user.user.id);
    expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(0);
    expect(rows.filter((r) => r.type === 'USAGE')).toHaveLength(10);
    expect(rows.every((r) => r.running_balance >= 0)).toBe(true);
    // Running balances count down 10, 9, ..., 0 in ledger order: no two charges saw the same balance.
    expect(rows.map((r) => r.running_balance)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(new Set(rows.filter((r) => r.type === 'USAGE').map((r) => r.node_execution_id)).size).toBe(10);

    // Starting below the threshold (10 < 100) the first charge is the crossing; the last reaches zero.
    expect(t.alerts.filter((a) => a.userId === user.user.id)).toEqual([
      { kind: 'LOW_BALANCE', userId: user.user.id, balance: 9, threshold: 100 },
      { kind: 'ZERO_BALANCE', userId: user.user.id, balance: 0, threshold: 100 },
    ]);

    const metrics = await request(t.http).get('/metrics');
    expect(metrics.text).toMatch(/trellis_credits_spent_total\{block="code.js"\} 10/);
  });

  it('never goes below zero when 50 distinct attempts are charged at the same moment on a balance of 10', async () => {
    const hook = t.app.get<ExecutionChargeHook>(EXECUTION_CHARGE_HOOK);
    const other = await makeUser(t, 'racer', { credits: 10 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        hook.charge({
          executionId: randomUUID(),
          nodeExecutionId: randomUUID(),
          attempt: 1,
          userId: other.user.id,
          blockId: 'code.js',
          inputs: { code: `return ${i};` },
        }),
      ),
    );
    const charged = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(charged).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const o of refused) expect(o.reason).toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(await balanceOf(t.http, other.key)).toBe(0);
    const rows = await ledger(t.dataSource, other.user.id);
    expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(0);
    expect(rows.map((r) => r.running_balance)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('answers 402 on execute once the balance is zero, and creates nothing', async () => {
    const before: Array<{ n: number }> = await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`);
    const res = await request(t.http)
      .post('/api/graphs/bang/execute')
      .set('X-API-Key', user.key)
      .send({ inputs: { text: 'x' } });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { balance: 0 }, request_id: expect.any(String) });
    expect(res.body.error.message).toMatch(/top-up/);
    const after: Array<{ n: number }> = await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
