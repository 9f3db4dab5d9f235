// Accepted webhook requests per second: autocannon (in a worker thread, so it does not share the server's
// event loop) posts JSON to /webhooks/{agent}/{node} for 10 s with 50 connections, on a server started
// here (a fresh Postgres database, queue mode on the machine's Redis under a fresh prefix). Then the 202s
// are matched with execution rows: zero lost. Two runs: role `api` (the intake alone, as when workers run
// elsewhere) and role `all` (the same process also runs every execution it accepts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startServer } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { BENCH_ADMIN_URL } from '../database.js';
import type { Figure } from './index.js';
import { deleteKeysWithPrefix } from '../../src/common/redis.js';

const DURATION_S = 10;
const CONNECTIONS = 50;
const AGENT = 'bench-hook';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What this scenario reads of autocannon's result (the package ships no types). */
interface CannonResult {
  latency: { p50: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number | string }>;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function measure(role: 'api' | 'all', autocannon: Cannon, say: (line: string) => void): Promise<Figure[]> {
  const name = `trellis_bench_webhooks_${role}_${randomBytes(4).toString('hex')}`;
  const prefix = `trellis-bench-webhooks-${randomBytes(4).toString('hex')}`;
  const adminKey = `bench-admin-${randomBytes(8).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  const sql = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // An idle connection that fails (a database dropped or restarted under it) is said, not a crash of the bench.
  sql.on('error', (error) => console.error(`bench: an idle database connection failed: ${error.message}`));
  try {
    const env = {
      ...process.env,
      TRELLIS_ENV: 'test',
      DATABASE_URL: url.toString(),
      REDIS_URL,
      TRELLIS_QUEUE_PREFIX: prefix,
      TRELLIS_ADMIN_API_KEY: adminKey,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      TRELLIS_CREDITS__ENABLED: 'false',
    };
    const config = loadConfig({ env });
    config.server.port = 0;
    const server = await startServer({ config, role });
    try {
      const created = await fetch(`${server.url}/api/graphs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
        body: JSON.stringify({
          name: AGENT,
          nodes: { hook: { block: 'trigger.webhook', inputs: { methods: ['POST'] } }, got: { block: 'output', inputs: { name: 'got' } } },
          links: ['hook.body -> got.value'],
        }),
      });
      if (created.status !== 201) throw new Error(`creating the agent answered ${created.status}: ${await created.text()}`);
      const options = {
        url: `${server.url}/webhooks/${AGENT}/hook`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'order.created', id: 42, items: [1, 2, 3] }),
        workers: 1,
      };
      say(`role ${role}: warming up (2 s)`);
      await autocannon({ ...options, connections: 10, duration: 2 });
      await sql.query(`DELETE FROM executions WHERE graph_id = $1 AND status = 'QUEUED'`, [AGENT]);
      const before = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE graph_id = $1`, [AGENT])).rows[0]!.n);
      say(`role ${role}: measuring (${DURATION_S} s, ${CONNECTIONS} connections)`);
      const result = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION_S });
      const accepted = Number(result.statusCodeStats['202']?.count ?? 0);
      const persisted = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE graph_id = $1`, [AGENT])).rows[0]!.n) - before;
      return [
        { label: `[${role}] accepted requests/s`, value: Math.round(accepted / result.duration), unit: '/s' },
        { label: `[${role}] p50 latency`, value: result.latency.p50, unit: 'ms' },
        { label: `[${role}] p99 latency`, value: result.latency.p99, unit: 'ms', budget: 100 },
        { label: `[${role}] 202 answers`, value: accepted, unit: '' },
        // Rows can exceed the 202s (requests still in flight when the load stopped); never the reverse.
        { label: `[${role}] execution rows written`, value: persisted, unit: '' },
        { label: `[${role}] lost (202s without an execution row)`, value: Math.max(0, accepted - persisted), unit: '', budget: 0 },
        { label: `[${role}] other answers, errors, timeouts`, value: result.non2xx + result.errors + result.timeouts, unit: '', budget: 0 },
      ];
    } finally {
      await server.close();
    }
  } finally {
    await sql.end();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await clearPrefix(prefix).catch(() => undefined);
  }
}

function clearPrefix(prefix: string): Promise<void> {
  return deleteKeysWithPrefix(REDIS_URL, prefix);
}

export default {
  name: 'webhooks',
  description: `accepted POST /webhooks/{agent}/{node} per second (target >= 1,000/s, p99 < 100 ms), ${CONNECTIONS} connections for ${DURATION_S} s, role api then all`,
  async run(say: (line: string) => void): Promise<Figure[]> {
    const specifier = 'autocannon';
    const autocannon = ((await import(specifier)) as { default: Cannon }).default;
    const roles = (process.env.BENCH_WEBHOOKS_ROLES ?? 'api,all').split(',').filter((r): r is 'api' | 'all' => r === 'api' || r === 'all');
    const figures: Figure[] = [];
    for (const role of roles) figures.push(...(await measure(role, autocannon, say)));
    return figures;
  },
};
