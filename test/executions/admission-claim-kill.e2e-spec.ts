// kill -9 of a real role-all process (node dist/src/main.js) whose worker claims webhook executions of an instant
// graph at admission (src/executions/worker/admission-claim.ts) while concurrent requests keep coming: every request
// answered 202 has its row; rows the kill caught between their INSERT (RUNNING under the dead worker's lease) and their
// first step are run by another worker once that lease lapses (its sweep); and every execution runs once: one row per
// node, no node run twice.
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
      (count) => count >= 400,
      { timeoutMs: 60_000, what: '400 answered requests' },
    );
    await server.kill();
    expect(server.child.signalCode).toBe('SIGKILL');
    stopped = true;
    await Promise.all(loops);

    // Every answered request has its row; the kill left some of them RUNNING before their first step.
    const rows = (await t.dataSource.query(
      `SELECT e.id, e.status, (SELECT count(*)::int FROM node_executions n WHERE n.execution_id = e.id) AS nodes
       FROM executions e WHERE e.id = ANY($1::uuid[])`,
      [answered],
    )) as Array<{ id: string; status: string; nodes: number }>;
    expect(rows).toHaveLength(answered.length);
    const cutShort = rows.filter((row) => row.status === 'RUNNING' && row.nodes === 0);
    // Under this load a few dozen are between their INSERT and their first step at any time (24 and 31 in two runs).
    expect(cutShort.length).toBeGreaterThan(0);

    // Another process (a worker): the dead one's leases lapse, its sweep dispatches them, and every answered execution completes.
    servers.start('worker');
    await waitFor(
      async () =>
        (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE id = ANY($1::uuid[]) AND status <> 'COMPLETED'`, [answered])) as Array<{
          n: number;
        }>,
      ([row]) => row!.n === 0,
      { timeoutMs: 90_000, what: `every answered execution to complete (${cutShort.length} were cut short by the kill)` },
    );
    // Each ran once: one row per node (trigger, query, output), the query's single attempt.
    const runs = (await t.dataSource.query(
      `SELECT execution_id, count(*)::int AS nodes, max(attempt)::int AS attempt FROM node_executions WHERE execution_id = ANY($1::uuid[]) GROUP BY execution_id`,
      [answered],
    )) as Array<{ nodes: number; attempt: number }>;
    expect(runs).toHaveLength(answered.length);
    expect(runs.filter((run) => run.nodes !== 3 || run.attempt !== 1)).toEqual([]);
  }, 240_000);
});
