// What the engine scenarios share: a real server (one process, role all, queue mode on the machine's
// Redis, its own Postgres database), agents created through the API, executions started through the API,
// and waits that read Postgres, where every state change is written before it is announced.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startServer, type RunningServer } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.loader.js';
import { deleteKeysWithPrefix } from '../src/common/redis.js';

export const BENCH_ADMIN_KEY = `bench-admin-${randomBytes(8).toString('hex')}`;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchServer {
  url: string;
  /** What a separate worker process needs to join this server (a scenario that measures one). */
  worker: { env: Record<string, string> };
  /** A pool on the server's database, for waits and counts. */
  sql: pg.Pool;
  createAgent(agent: Record<string, unknown>): Promise<void>;
  /** POST /api/graphs/{id}/execute; answers the execution id (and the HTTP status). */
  execute(graphId: string, inputs: Record<string, unknown>, wait?: string): Promise<{ id: string; status: number; body: Record<string, unknown> }>;
  /** Waits until `count` executions of the graph are finished; answers how many did not complete. */
  waitFinished(graphId: string, count: number, timeoutMs: number): Promise<{ failed: number; errors: unknown[] }>;
  close(): Promise<void>;
}

/** A scale knob: BENCH_SCALE=0.1 runs a tenth of every scenario's default count (for a quick try). */
export function scaled(count: number): number {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  return Math.max(1, Math.round(count * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export async function startBenchServer(label: string, env: Record<string, string> = {}, role: 'all' | 'api' = 'all'): Promise<BenchServer> {
  const database = `trellis_bench_${label.replace(/[^a-z0-9]/gi, '')}_${randomBytes(4).toString('hex')}`;
  const prefix = `trellis-bench-${label}-${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const databaseUrl = withDatabase(database);
  const config = loadConfig({
    env: {
      ...process.env,
      TRELLIS_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      TRELLIS_QUEUE_PREFIX: prefix,
      TRELLIS_ADMIN_API_KEY: BENCH_ADMIN_KEY,
      PORT: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // The bench measures the engine, not the limiter or the ledger.
      TRELLIS_AUTH__RATE_LIMIT__PER_KEY: '100000000/min',
      TRELLIS_CREDITS__ENABLED: 'false',
      ...env,
    },
  });
  config.server.port = 0;
  let server: RunningServer;
  try {
    server = await startServer({ config, role });
  } catch (error) {
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    throw error;
  }
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // An idle connection that fails (a database dropped or restarted under it) is said, not a crash of the bench.
  sql.on('error', (error) => console.error(`bench: an idle database connection failed: ${error.message}`));
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': BENCH_ADMIN_KEY },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  return {
    url: server.url,
    worker: {
      env: {
        TRELLIS_ENV: 'test',
        DATABASE_URL: databaseUrl,
        REDIS_URL,
        TRELLIS_QUEUE_PREFIX: prefix,
        TRELLIS_ADMIN_API_KEY: BENCH_ADMIN_KEY,
        PORT: '0',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        TRELLIS_CREDITS__ENABLED: 'false',
        ...env,
      },
    },
    sql,
    async createAgent(agent) {
      const answer = await call('POST', '/api/graphs', agent);
      if (answer.status >= 300) throw new Error(`creating agent ${String(agent.name)} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    async execute(graphId, inputs, wait) {
      const answer = await call('POST', `/api/graphs/${graphId}/execute${wait ? `?wait=${wait}` : ''}`, { inputs });
      const id = (answer.body.execution_id ?? answer.body.id) as string | undefined;
      if (answer.status >= 300 || !id) throw new Error(`executing ${graphId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return { id, status: answer.status, body: answer.body };
    },
    async waitFinished(graphId, count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await sql.query<{ done: string; failed: string }>(
          `SELECT count(*) FILTER (WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED')) AS done, count(*) FILTER (WHERE status IN ('FAILED', 'CANCELLED')) AS failed FROM executions WHERE graph_id = $1`,
          [graphId],
        );
        const done = Number(rows[0]!.done);
        if (done >= count) {
          const failed = Number(rows[0]!.failed);
          const errors = failed
            ? (await sql.query(`SELECT error FROM executions WHERE graph_id = $1 AND status <> 'COMPLETED' LIMIT 3`, [graphId])).rows.map((r) => r.error)
            : [];
          return { failed, errors };
        }
        if (Date.now() > deadline) throw new Error(`only ${done} of ${count} executions of ${graphId} finished within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await sql.end();
      await server.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await clearPrefix(prefix);
    },
  };
}

/** Runs `task` for each of `count` items with at most `concurrency` in flight. */
export async function pooled(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
export const megabytes = (bytes: number): number => round(bytes / 1024 / 1024);

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function withDatabase(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function clearPrefix(prefix: string): Promise<void> {
  return deleteKeysWithPrefix(REDIS_URL, prefix);
}
