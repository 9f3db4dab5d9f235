// Helpers of the webhook and GitHub trigger tests: an app with the admin key, agents created through the
// graphs API (so activation events reach the trigger catalog), and execution rows read from Postgres.
import request from 'supertest';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

export const admin = { 'X-API-Key': ADMIN_KEY };

export function triggersApp(label: string, options: TestAppOptions = {}): Promise<TestApp> {
  return createTestApp({ label, ...options, env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, ...options.env } });
}

export async function createAgent(t: TestApp, agent: Record<string, unknown>): Promise<void> {
  const res = await request(t.http).post('/api/graphs').set(admin).send(agent);
  if (res.status !== 201) throw new Error(`creating ${String(agent.name)} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** trigger.webhook `hook` -> output `echo` (the body), plus whatever `extra` adds. */
export function webhookAgent(
  name: string,
  options: { methods?: string[]; secret?: string; owner?: string; nodes?: Record<string, unknown>; links?: string[] } = {},
): Record<string, unknown> {
  return {
    name,
    ...(options.owner ? { owner: options.owner } : {}),
    nodes: {
      hook: {
        block: 'trigger.webhook',
        inputs: { methods: options.methods ?? ['POST'] },
        ...(options.secret ? { credentials: { secret: options.secret } } : {}),
      },
      echo: { block: 'output', inputs: { name: 'echo' } },
      ...options.nodes,
    },
    links: ['hook.body -> echo.value', ...(options.links ?? [])],
  };
}

export interface ExecutionRecord {
  id: string;
  graph_id: string;
  status: string;
  source: string;
  user_id: string;
  trigger_node: string | null;
  trigger_event: Record<string, unknown> | null;
  error: { code: string } | null;
}

export async function executionsOf(t: TestApp, graphId: string): Promise<ExecutionRecord[]> {
  return (await t.dataSource.query(
    `SELECT id, graph_id, status, source, user_id, trigger_node, trigger_event, error FROM executions WHERE graph_id = $1 ORDER BY created_at, id`,
    [graphId],
  )) as ExecutionRecord[];
}

export async function execution(t: TestApp, id: string): Promise<ExecutionRecord> {
  const rows = (await t.dataSource.query(`SELECT id, graph_id, status, source, user_id, trigger_node, trigger_event, error FROM executions WHERE id = $1`, [
    id,
  ])) as ExecutionRecord[];
  if (!rows[0]) throw new Error(`no execution ${id}`);
  return rows[0];
}

export function finished(t: TestApp, id: string): Promise<ExecutionRecord> {
  return waitFor(
    () => execution(t, id),
    (row) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status),
    { what: `execution ${id} to finish` },
  );
}
