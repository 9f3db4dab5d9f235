// Counts the SQL statements and Redis commands this process sends (the bench runs the server in-process),
// by statement text and command name, so a scenario can report them per execution. Counting wraps the
// pg client's query and ioredis's sendCommand; it costs a map update per call.
import pg from 'pg';
import Redis, { Pipeline } from 'ioredis';
import { readFile } from 'node:fs/promises';

export interface IoCounts {
  sql: Map<string, number>;
  redis: Map<string, number>;
  /** Writes to Redis: a command sent alone, or a whole pipeline. */
  redisTrips: number;
}

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;
type SendFn = (this: unknown, command: { name: string; args?: unknown[] }, ...rest: unknown[]) => unknown;

/** Starts counting; `stop()` restores the originals and answers what was sent meanwhile. */
export function countIo(): { stop(): IoCounts } {
  const counts: IoCounts = { sql: new Map(), redis: new Map(), redisTrips: 0 };
  const clientProto = pg.Client.prototype as unknown as { query: QueryFn };
  const redisProto = (Redis as unknown as { prototype: { sendCommand: SendFn } }).prototype;
  const query = clientProto.query;
  const send = redisProto.sendCommand;
  // A pipeline's commands go out in one write: one round trip for all the commands sent while it executes.
  const pipelineProto = Pipeline.prototype as unknown as { exec: (...args: unknown[]) => unknown };
  const exec = pipelineProto.exec;
  let inPipeline = false;
  pipelineProto.exec = function (this: unknown, ...args: unknown[]) {
    counts.redisTrips++;
    inPipeline = true;
    try {
      return exec.apply(this, args);
    } finally {
      inPipeline = false;
    }
  };
  clientProto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').slice(0, 90);
    counts.sql.set(key, (counts.sql.get(key) ?? 0) + 1);
    return query.apply(this, args);
  };
  redisProto.sendCommand = function (this: unknown, command: { name: string; args?: unknown[] }, ...rest: unknown[]) {
    // Scripts (BullMQ's, the rate limiter's) by the first characters of their digest.
    const key = command.name === 'evalsha' ? `evalsha ${String(command.args?.[0]).slice(0, 8)}` : command.name;
    counts.redis.set(key, (counts.redis.get(key) ?? 0) + 1);
    if (!inPipeline) counts.redisTrips++;
    return send.call(this, command, ...rest);
  };
  return {
    stop() {
      clientProto.query = query;
      redisProto.sendCommand = send;
      pipelineProto.exec = exec;
      return counts;
    },
  };
}

export const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

/** The most frequent entries, `per` divided out (per execution), for a report line. */
export function breakdown(counts: Map<string, number>, per: number, top = 12): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, n]) => `${(n / per).toFixed(2)} x ${key}`)
    .join('\n');
}

const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) spent so far by the Postgres backends serving `sql`'s database (read from
 * /proc: Postgres runs on this machine). Backends that come and go between two readings are not counted.
 */
export async function backendCpu(sql: Pick<pg.Pool, 'query'>): Promise<number> {
  const { rows } = await sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; after the command name they are the 12th and 13th.
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / TICKS_PER_S;
}

export interface RowWrites {
  inserted: number;
  updated: number;
}

/**
 * Rows inserted and updated so far in `tables` of `sql`'s database (pg_stat_user_tables; backends report
 * them when a transaction ends, at most once a second, so read a second after the load stopped).
 */
export async function rowWrites(sql: Pick<pg.Pool, 'query'>, tables: string[]): Promise<Record<string, RowWrites>> {
  const { rows } = await sql.query<{ relname: string; ins: string; upd: string }>(
    `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`,
    [tables],
  );
  return Object.fromEntries(rows.map((row) => [row.relname, { inserted: Number(row.ins), updated: Number(row.upd) }]));
}

/**
 * The share of an agent's executions claimed at admission (src/executions/worker/admission-claim.ts), in percent:
 * their INSERT stamped started_at in its own transaction, so it equals created_at; a claim afterwards stamps a later time.
 */
export async function claimedAtAdmission(sql: pg.Pool, graphId: string): Promise<number> {
  const { rows } = await sql.query<{ share: string | null }>(
    `SELECT round(100.0 * count(*) FILTER (WHERE started_at = created_at) / NULLIF(count(*), 0), 1) AS share FROM executions WHERE graph_id = $1`,
    [graphId],
  );
  return Number(rows[0]?.share ?? 0);
}
