// Trellis's webhook intake beside two peers, under the same load in turn (autocannon in its own process, so that
// Trellis's memory and CPU figures are its own; 50 connections, 5 s warm-up, 15 s measured, body
// {"order":{"id":42}}): the bare node:http server, the minimal durable server (bench/peer-server.ts: one
// INSERT ... RETURNING id per request through a pg Pool of 20), then Trellis in roles api and all
// (trigger.webhook -> json.query -> output). The durable server runs first and last: it is bound by fsync and
// drifts with the shared disk, so each figure's ratio is to the mean of its two runs. BENCH_PEERS_SECONDS=
// "warm,measured" shortens the runs; BENCH_PEERS_ONLY="api,all" runs only those systems (for profiling one of
// them: `node --cpu-prof dist/bench/run.js peers`; the process of each role writes its own profile). Each
// Trellis role runs in a process of its own (bench/isolate.ts): role all measured after role api in one process
// started from api's high-water mark.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServer } from '../../src/bootstrap.js';
import { deleteKeysWithPrefix } from '../../src/common/redis.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { BENCH_ADMIN_URL } from '../database.js';
import { backendCpu, breakdown, claimedAtAdmission, countIo, total } from '../io-count.js';
import { inOwnProcess } from '../isolate.js';
import { collectGarbage, watchPeakRss } from '../memory.js';
import type { Figure } from './index.js';

const CONNECTIONS = 50;
const [WARM_S, MEASURED_S] = (process.env.BENCH_PEERS_SECONDS ?? '5,15').split(',').map(Number) as [number, number];
const BODY = JSON.stringify({ order: { id: 42 } });
const AGENT = 'bench-peers-hook';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FINAL = `('COMPLETED', 'FAILED', 'CANCELLED')`;

interface CannonResult {
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number | string }>;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

interface Measured {
  system: string;
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
  /** In-process systems (Trellis): CPU time of the bench's main thread per accepted request. */
  mainThreadCpuMs: number;
  /** In-process systems: CPU time of the whole process (with V8's GC threads) per accepted request. */
  processCpuMs: number;
  extra?: Figure[];
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database, dropped by the answer's drop(). */
async function freshDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `trellis_bench_peers_${label}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined) };
}

/** Runs the autocannon CLI in its own process (its heap, buffers and CPU are not the server's) and answers its JSON. */
async function autocannon(options: { url: string; duration: number }): Promise<CannonResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = ['--json', '--no-progress', '-c', String(CONNECTIONS), '-d', String(options.duration), '-m', 'POST'];
  const child = spawn(process.execPath, [cli, ...args, '-H', 'content-type=application/json', '-b', BODY, options.url], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited (${code}): ${output.slice(0, 500)}`);
  return JSON.parse(output) as CannonResult;
}

async function load(system: string, url: string, say: (line: string) => void): Promise<Measured> {
  say(`${system}: warming up (${WARM_S} s)`);
  await autocannon({ url, duration: WARM_S });
  say(`${system}: measuring (${MEASURED_S} s, ${CONNECTIONS} connections)`);
  // The main thread's own CPU time: what Trellis spends per request on its event loop; and the process's.
  const { threadCpuUsage } = process as unknown as { threadCpuUsage(previous?: NodeJS.CpuUsage): NodeJS.CpuUsage }; // Node >= 23.9
  const cpuBefore = threadCpuUsage.call(process);
  const processCpuBefore = process.cpuUsage();
  const result = await autocannon({ url, duration: MEASURED_S });
  const cpu = threadCpuUsage.call(process, cpuBefore);
  const processCpu = process.cpuUsage(processCpuBefore);
  const accepted = Number(result.statusCodeStats['202']?.count ?? 0);
  return {
    system,
    mainThreadCpuMs: (cpu.user + cpu.system) / 1000 / Math.max(accepted, 1),
    processCpuMs: (processCpu.user + processCpu.system) / 1000 / Math.max(accepted, 1),
    perSecond: Math.round(accepted / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/** Starts bench/peer-server.js in its own process and answers its URL and a stop(). */
async function startPeer(args: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'peer-server.js');
  const child: ChildProcess = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`peer-server.js ${args[0]} exited (${code}) before listening`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measurePeer(kind: 'bare' | 'durable', say: (line: string) => void): Promise<Measured> {
  const database = kind === 'durable' ? await freshDatabase('durable') : null;
  try {
    const peer = await startPeer(database ? [kind, database.url] : [kind]);
    try {
      return await load(kind === 'bare' ? 'bare node:http + JSON.parse' : 'minimal durable server (INSERT ... RETURNING, pool 20)', peer.url, say);
    } finally {
      await peer.stop();
    }
  } finally {
    await database?.drop();
  }
}

/** Runs in a process of its own (inOwnProcess): its server's peak is the process's. */
export async function measureTrellis(role: 'api' | 'all', say: (line: string) => void): Promise<Measured> {
  const database = await freshDatabase(role);
  const prefix = `trellis-bench-peers-${randomBytes(4).toString('hex')}`;
  const adminKey = `bench-admin-${randomBytes(8).toString('hex')}`;
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  // An idle connection that fails (a database dropped or restarted under it) is said, not a crash of the bench.
  sql.on('error', (error) => console.error(`bench: an idle database connection failed: ${error.message}`));
  try {
    const env = {
      ...process.env,
      TRELLIS_ENV: 'test',
      DATABASE_URL: database.url,
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
          nodes: {
            hook: { block: 'trigger.webhook', inputs: { methods: ['POST'] } },
            pick: { block: 'json.query', inputs: { expression: 'order.id' } },
            out: { block: 'output', inputs: { name: 'id' } },
          },
          links: ['hook.body -> pick.data', 'pick.result -> out.value'],
        }),
      });
      if (created.status !== 201) throw new Error(`creating the agent answered ${created.status}: ${await created.text()}`);
      const stats = async () =>
        (
          await sql.query<{ commits: string; inserted: string }>(
            'SELECT xact_commit AS commits, tup_inserted AS inserted FROM pg_stat_database WHERE datname = current_database()',
          )
        ).rows[0]!;
      const before = await stats();
      collectGarbage();
      const peakRss = watchPeakRss();
      // SQL statements and Redis commands this process sends (warm-up and measured run), per execution stored.
      const io = countIo();
      const backendCpuBefore = await backendCpu(sql);
      const measured = await load(`Trellis role ${role} (webhook -> json.query -> output)`, `${server.url}/webhooks/${AGENT}/hook`, say);
      const peakRssMb = peakRss.stop();
      const counts = io.stop();
      // Postgres CPU of this database's backends (the server's pool; backends that come and go are missed).
      const backendSeconds = (await backendCpu(sql)) - backendCpuBefore;
      // Statistics reach pg_stat_database within a second of each commit.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = await stats();
      const executions = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM executions WHERE graph_id = $1', [AGENT])).rows[0]!.n);
      say(`[${role}] SQL statements per execution:\n${breakdown(counts.sql, executions, 8)}`);
      say(`[${role}] Redis commands per execution:\n${breakdown(counts.redis, executions, 8)}`);
      const perExecution = (n: number) => Math.round((n / Math.max(executions, 1)) * 1000) / 1000;
      const per = (field: 'commits' | 'inserted') => Math.round(((Number(after[field]) - Number(before[field])) / Math.max(executions, 1)) * 100) / 100;
      measured.extra = [
        { label: `[${role}] peak RSS of the server (warm-up and load; autocannon apart)`, value: peakRssMb, unit: 'MB', budget: 300 },
        { label: `[${role}] main-thread CPU per accepted request`, value: Math.round(measured.mainThreadCpuMs * 1000) / 1000, unit: 'ms' },
        { label: `[${role}] process CPU per accepted request (with GC threads)`, value: Math.round(measured.processCpuMs * 1000) / 1000, unit: 'ms' },
        { label: `[${role}] commits / rows inserted per accepted request`, value: per('commits'), unit: `/ ${per('inserted')}` },
        { label: `[${role}] SQL statements per execution`, value: perExecution(total(counts.sql)), unit: '' },
        { label: `[${role}] Postgres backend CPU per execution`, value: perExecution(backendSeconds * 1000), unit: 'ms' },
        {
          label: `[${role}] Redis commands / round trips per execution`,
          value: perExecution(total(counts.redis)),
          unit: `/ ${perExecution(counts.redisTrips)}`,
        },
      ];
      if (role === 'all') {
        const ended = Date.now();
        const open = async () =>
          Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE graph_id = $1 AND status NOT IN ${FINAL}`, [AGENT])).rows[0]!.n);
        let unfinished = await open();
        while (unfinished > 0 && Date.now() - ended < 5000) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          unfinished = await open();
        }
        measured.extra.push({ label: `[all] executions not final 5 s after the load`, value: unfinished, unit: '', budget: 0 });
        measured.extra.push({
          label: `[all] executions claimed at admission (run at once by this worker)`,
          value: await claimedAtAdmission(sql, AGENT),
          unit: '%',
        });
      }
      return measured;
    } finally {
      await server.close();
    }
  } finally {
    await sql.end();
    await database.drop();
    await deleteKeysWithPrefix(REDIS_URL, prefix).catch(() => undefined);
  }
}

export default {
  name: 'peers',
  description: `webhook accepts/s beside a bare node:http server and a minimal durable server (${CONNECTIONS} connections, ${WARM_S} s warm-up, ${MEASURED_S} s), Trellis roles api and all`,
  async run(say: (line: string) => void): Promise<Figure[]> {
    const only = process.env.BENCH_PEERS_ONLY?.split(',');
    const runs = async <T>(name: string, measure: () => Promise<T>) => (!only || only.includes(name) ? measure() : null);
    const durableFirst = await runs('durable', () => measurePeer('durable', say));
    const bare = await runs('bare', () => measurePeer('bare', say));
    const trellis = (role: 'api' | 'all') => inOwnProcess<Measured>(import.meta.url, 'measureTrellis', role, say);
    const api = await runs('api', () => trellis('api'));
    const all = await runs('all', () => trellis('all'));
    const durableLast = await runs('durable', () => measurePeer('durable', say));
    const durableMean = ((durableFirst?.perSecond ?? NaN) + (durableLast?.perSecond ?? NaN)) / 2;
    const figures: Figure[] = [{ label: 'minimal durable server, mean of first and last run', value: Math.round(durableMean), unit: '/s' }];
    const targets: Record<string, number> = { [api?.system ?? 'api']: 0.7, [all?.system ?? 'all']: 0.4 };
    for (const [index, run] of [durableFirst, bare, api, all, durableLast].entries()) {
      if (!run) continue;
      const tag = index === 0 ? ' (first)' : index === 4 ? ' (last)' : '';
      figures.push(
        { label: `${run.system}${tag}: accepted/s`, value: run.perSecond, unit: '/s' },
        { label: `  p50 / p99`, value: run.p50, unit: `ms / ${run.p99} ms` },
        {
          label: `  ratio to the minimal durable server`,
          value: Math.round((run.perSecond / durableMean) * 100) / 100,
          unit: targets[run.system] ? `x (target >= ${targets[run.system]})` : 'x',
        },
        { label: `  non-202 answers, errors, timeouts`, value: run.failed, unit: '', budget: 0 },
        ...(run.extra ?? []),
      );
    }
    return figures;
  },
};
