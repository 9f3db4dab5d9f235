// kill -9 of a real role-all process (node dist/src/main.js) whose worker claims webhook executions of an instant
// graph at admission (src/executions/worker/admission-claim.ts) while concurrent requests keep coming: every request
// answered 202 has its row; rows the kill caught between their INSERT (RUNNING under the dead worker's lease) and their
// first step (their step writes failed from a moment before the kill) are run by another worker once that lease lapses (its sweep);
// and every execution runs once: one row per node, no node run twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import type { TestApp } from '../helpers/app.js';
import { ensureServerBuilt, ServerProcesses, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { createAgent, triggersApp, webhookAgent } from '../triggers/webhooks-helpers.js';

const CONNECTIONS = 30;

/** One POST of {n} (fetch keeps its connections alive): its 202's execution_id, or null when it got none. */
async function post(url: string, n: number): Promise<string | null> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
    const body = (await res.json()) as { execution_id?: string };
    return res.status === 202 && body.execution_id ? body.execution_id : null;
  } catch {
    return null;
  }
}

describe('kill -9 of a process that claims executions at admission', () => {
  let t: TestApp;
  let servers: ServerProcesses;

  beforeAll(async () => {
    await ensureServerBuilt();
    t = await triggersApp('admitclaimkill', { role: 'api' });
    servers = new ServerProcesses({
      app: t,
      redisUrl: '',
      logLevel: 'info',
      captureStdout: true,
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_EXECUTOR__LEASE: '2s' },
    });
    await createAgent(t, webhookAgent('claim-kill', { nodes: { id: { block: 'json.query', inputs: { expression: 'n' } } }, links: ['hook.body -> id.data'] }));
  }, 300_000);

  afterAll(async () => {
    await servers?.killAll();
    await t?.close();
  });

  it('keeps every answered execution and runs each exactly once after the kill', async () => {
    const server: ServerProcess = servers.start('all');
    const listening = () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())?.[1] ?? null;
    const base = await waitFor(() => listening() ?? (server.exited() ? 'exited' : null), Boolean, { timeoutMs: 60_000, what: 'the server to listen' });
    expect(base).not.toBe('exited');
    const answered: string[] = [];
    let next = 0;
    let stopped = false;
    const loops = Array.from({ length: CONNECTIONS }, async () => {
      while (!stopped) {
        const id = await post(`${base}/webhooks/claim-kill/hook`, next++);
        if (id === null) stopped = true;
        else answered.push(id);
      }
    });
    await waitFor(
      () => answered.length,
      (count) => count >= 300,
      { timeoutMs: 60_000, what: '300 answered requests' },
    );
    // From here the process's step writes fail (a transient error: its runners give up, as if the process had died
    // before writing), so that the kill finds executions admitted and claimed but never stepped; then kill it.
    await t.dataSource.query(`CREATE FUNCTION hold_steps() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'test: step writes are held'; END $$`);
    await t.dataSource.query('CREATE TRIGGER hold_steps BEFORE INSERT ON node_executions FOR EACH STATEMENT EXECUTE FUNCTION hold_steps()');
    try {
      await waitFor(
        async () =>
          (
            (await t.dataSource.query(
              `SELECT count(*)::int AS n FROM executions e WHERE e.graph_id = 'claim-kill' AND e.status = 'RUNNING'
                 AND NOT EXISTS (SELECT 1 FROM node_executions n WHERE n.execution_id = e.id)`,
            )) as Array<{ n: number }>
          )[0]!.n,
        (n) => n >= 20,
        { timeoutMs: 30_000, what: '20 executions admitted and claimed, never stepped' },
      );
      await server.kill();
    } finally {
      await t.dataSource.query('DROP TRIGGER hold_steps ON node_executions');
    }
    expect(server.child.signalCode).toBe('SIGKILL');
    stopped = true;
    await Promise.all(loops);

    // Every answered request has its row; the kill left at least the 20 seen RUNNING before their first step (answered
    // or not: a row whose answer the kill cut off runs too, the caller may send it again).
    const rows = (await t.dataSource.query(
      `SELECT e.id, e.status, (SELECT count(*)::int FROM node_executions n WHERE n.execution_id = e.id) AS nodes FROM executions e WHERE e.graph_id = 'claim-kill'`,
    )) as Array<{ id: string; status: string; nodes: number }>;
    const stored = new Set(rows.map((row) => row.id));
    expect(answered.filter((id) => !stored.has(id))).toEqual([]);
    const cutShort = rows.filter((row) => row.status === 'RUNNING' && row.nodes === 0);
    expect(cutShort.length).toBeGreaterThanOrEqual(20);

    // Another process (a worker): the dead one's leases lapse, its sweep dispatches them, and every execution completes.
    servers.start('worker');
    await waitFor(
      async () =>
        (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = 'claim-kill' AND status <> 'COMPLETED'`)) as Array<{ n: number }>,
      ([row]) => row!.n === 0,
      { timeoutMs: 90_000, what: `every execution to complete (${cutShort.length} were cut short by the kill)` },
    );
    // Each ran once: one row per node (trigger, query, output), the query's single attempt.
    const runs = (await t.dataSource.query(
      `SELECT e.id, count(n.id)::int AS nodes, max(n.attempt)::int AS attempt FROM executions e LEFT JOIN node_executions n ON n.execution_id = e.id
       WHERE e.graph_id = 'claim-kill' GROUP BY e.id`,
    )) as Array<{ nodes: number; attempt: number }>;
    // (A statement the dead process had sent may still commit after `rows` was read: it runs all the same.)
    expect(runs.length).toBeGreaterThanOrEqual(rows.length);
    expect(runs.filter((run) => run.nodes !== 3 || run.attempt !== 1)).toEqual([]);
  }, 240_000);
});
