// kill -9 of a real api process (node dist/src/main.js) while concurrent webhook requests share grouped
// INSERTs: every request answered 202 has its execution row, holding its own body (nothing answered is
// lost, no answer names a row that is missing or another request's), and every row is one request that was
// sent, at most once (a row whose answer the kill cut off is allowed: the caller retries it). A group is
// dispatched after its answers, so the kill also cuts off dispatches: a worker started afterwards runs every
// answered execution all the same (its sweep finds the QUEUED rows nobody dispatched).
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestApp } from '../helpers/app.js';
import { ensureServerBuilt, ServerProcesses, type ServerProcess } from '../helpers/server-process.js';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { waitFor } from '../helpers/wait.js';
import { createAgent, triggersApp, webhookAgent } from './webhooks-helpers.js';

const CONNECTIONS = 40;

type Outcome = { n: number; answered: true; executionId: string } | { n: number; answered: false; why: string };

/** One POST of {n} over a kept-alive connection: its 202's execution_id, or why it got none. */
function post(agent: Agent, url: string, n: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ n });
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ n, answered: false, why: error.message }));
        res.on('end', () => {
          if (res.statusCode !== 202) return resolve({ n, answered: false, why: `status ${res.statusCode}` });
          resolve({ n, answered: true, executionId: (JSON.parse(Buffer.concat(chunks).toString()) as { execution_id: string }).execution_id });
        });
      },
    );
    req.on('error', (error) => resolve({ n, answered: false, why: error.message }));
    req.end(body);
  });
}

describe('kill -9 during grouped webhook writes', () => {
  let t: TestApp;
  let servers: ServerProcesses;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    await ensureServerBuilt();
    t = await triggersApp('webhookkill', { role: 'api' });
    // In-process mode like the test app: no Redis.
    servers = new ServerProcesses({ app: t, redisUrl: '', logLevel: 'info', captureStdout: true, env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    await createAgent(t, webhookAgent('kill-hook'));
  }, 300_000);

  afterAll(async () => {
    await servers?.killAll();
    await t?.close();
  });

  /** The built api server on the test database; answers its URL once it listens. */
  async function startServer(): Promise<string> {
    const started = servers.start('api');
    server = started;
    const listening = () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1] ?? null;
    await waitFor(() => listening() ?? (started.exited() ? 'exited' : null), Boolean, { timeoutMs: 60_000, what: 'the api server to listen' });
    const url = listening();
    if (url === null) throw new Error(`the api server exited (${started.child.exitCode}) before listening`);
    return url;
  }

  it('answers 202 only for rows that are committed, each with its own body, writes no request twice, and runs each answered one after a restart', async () => {
    const base = await startServer();
    const url = `${base}/webhooks/kill-hook/hook`;
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const outcomes: Outcome[] = [];
    let next = 0;
    let stopped = false;
    // Each connection sends its next request as soon as the last is answered, until the server is gone.
    const loops = Array.from({ length: CONNECTIONS }, async () => {
      while (!stopped) {
        const outcome = await post(agent, url, next++);
        outcomes.push(outcome);
        if (!outcome.answered) stopped = true;
      }
    });
    await waitFor(
      () => outcomes.filter((o) => o.answered).length,
      (count) => count >= 400,
      { timeoutMs: 60_000, what: '400 answered requests' },
    );
    await server!.kill();
    expect(server!.child.signalCode).toBe('SIGKILL');
    stopped = true;
    await Promise.all(loops);
    agent.destroy();

    const rows = (await t.dataSource.query(`SELECT id, trigger_event->'body'->>'n' AS n FROM executions WHERE graph_id = 'kill-hook'`)) as Array<{
      id: string;
      n: string;
    }>;
    const rowById = new Map(rows.map((row) => [row.id, Number(row.n)]));
    const answered = outcomes.filter((o): o is Extract<Outcome, { answered: true }> => o.answered);
    const cut = outcomes.filter((o) => !o.answered);
    // The kill landed mid-flight: requests were answered, and others were cut off without an answer.
    expect(answered.length).toBeGreaterThanOrEqual(400);
    expect(cut.length).toBeGreaterThan(0);
    // Nothing answered is lost, and no answer names a missing row or another request's row.
    const lost = answered.filter((o) => rowById.get(o.executionId) !== o.n);
    expect(lost).toEqual([]);
    // Every row is a request that was sent, once: the rows beyond the answered ones are cut-off requests.
    const sent = new Set(outcomes.map((o) => o.n));
    expect(rows.every((row) => sent.has(Number(row.n)))).toBe(true);
    expect(new Set(rows.map((row) => row.n)).size).toBe(rows.length);
    const unansweredRows = rows.filter((row) => !answered.some((o) => o.executionId === row.id));
    const cutNumbers = new Set(cut.map((o) => o.n));
    expect(unansweredRows.every((row) => cutNumbers.has(Number(row.n)))).toBe(true);

    // A worker on the same database: dispatches the kill cut off are found by its sweep, and every row runs (its
    // sweep every 250ms, not 3 s: the rows are younger than a sweep interval when it starts).
    servers.start('worker', { TRELLIS_EXECUTOR__SWEEP_INTERVAL: '250ms' });
    const answeredIds = answered.map((o) => o.executionId);
    await waitFor(
      async () =>
        Number(
          (
            (await t.dataSource.query(`SELECT count(*) AS n FROM executions WHERE id = ANY($1::uuid[]) AND status <> 'COMPLETED'`, [answeredIds])) as Array<{
              n: string;
            }>
          )[0]!.n,
        ),
      (unfinished) => unfinished === 0,
      { timeoutMs: 90_000, what: 'every answered execution to be run by the worker' },
    );
  }, 240_000);
});
