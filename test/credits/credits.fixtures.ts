// Shared by the credits tests: an agent with one cost-1 node (code.js), users made through the admin API.
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { echoAgent, link, node, saveAgent } from '../executions/graphs.fixture.js';

export { ADMIN_KEY, makeUser, type MadeUser };

/** input text -> code.js (cost 1) -> output result. */
export async function saveOneNodeAgent(dataSource: DataSource, name: string): Promise<void> {
  await saveAgent(
    dataSource,
    echoAgent(name, { run: node('code.js', { code: 'return input + "!";' }) }, [link('text.value', 'run.input'), link('run.result', 'result.value')]),
  );
}

export interface LedgerRow {
  type: string;
  amount: number;
  running_balance: number;
  node_execution_id: string | null;
  attempt: number | null;
  block: string | null;
}

export async function ledger(dataSource: DataSource, userId: string): Promise<LedgerRow[]> {
  const rows: Array<Record<string, unknown>> = await dataSource.query(
    `SELECT type, amount, running_balance, node_execution_id, attempt, block FROM credit_transactions WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
  return rows.map((r) => ({
    type: String(r.type),
    amount: Number(r.amount),
    running_balance: Number(r.running_balance),
    node_execution_id: r.node_execution_id as string | null,
    attempt: r.attempt as number | null,
    block: r.block as string | null,
  }));
}

export async function balanceOf(http: Parameters<typeof request>[0], key: string): Promise<number> {
  const res = await request(http).get('/api/user/credits').set('X-API-Key', key);
  if (res.status !== 200) throw new Error(`GET /api/user/credits answered ${res.status}`);
  return res.body.balance as number;
}
