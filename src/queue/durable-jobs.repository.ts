// All SQL of the Postgres queue driver over durable_jobs. A delivery is a lease: the claim sets locked_by,
// locked_until and attempts (one statement, FOR UPDATE SKIP LOCKED); the consumer renews its leases and
// deletes the row when the handler is done; a lapsed lease makes the row claimable again. A row delivered
// max_attempts times keeps failed_at and last_error for inspection. A repeating job is one row (name
// `repeat`) whose run_at is its next fire time; each claim of it spawns a leased `fire` row.
import type { DataSource } from 'typeorm';

export interface ClaimedRow {
  id: string;
  name: string;
  payload: unknown;
  run_at: Date;
  attempts: number;
  max_attempts: number;
}

export const REPEAT_JOB = 'repeat';
export const FIRE_JOB = 'fire';
const RELEASE_KEY_ON_CLAIM = `CASE WHEN j.name = '${REPEAT_JOB}' THEN j.dedupe_key ELSE NULL END`;

export class DurableJobsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: string,
  ) {}

  get ready(): boolean {
    return this.dataSource.isInitialized;
  }

  private async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = (await this.dataSource.query(sql, params)) as T[] | [T[], number];
    return Array.isArray(result[0]) && result.length === 2 && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
  }

  /** Jobs in one statement, their ids in the order given (so due ones are claimed in that order). */
  async insertMany(jobs: ReadonlyArray<{ payload: unknown; delayMs: number; dedupeKey: string | null }>, maxAttempts: number): Promise<void> {
    if (jobs.length === 0) return;
    const rows = jobs.map((job) => ({ payload: job.payload, delay_ms: Math.max(0, job.delayMs), dedupe_key: job.dedupeKey }));
    await this.dataSource.query(
      `INSERT INTO durable_jobs (queue, name, payload, run_at, dedupe_key, max_attempts)
       SELECT $1, 'job', e.job -> 'payload', now() + make_interval(secs => (e.job ->> 'delay_ms')::float8 / 1000), e.job ->> 'dedupe_key', $3
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(job, ord) ORDER BY e.ord
       ON CONFLICT (queue, dedupe_key) DO NOTHING`,
      [this.queue, JSON.stringify(rows), maxAttempts],
    );
  }

  /** Leases up to `limit` due rows (also those whose lease lapsed) to `owner`, oldest due first. */
  async claim(owner: string, leaseMs: number, limit: number): Promise<ClaimedRow[]> {
    const rows = await this.rows<ClaimedRow>(
      `UPDATE durable_jobs j SET locked_by = $2, locked_until = now() + make_interval(secs => $3::float8 / 1000), attempts = j.attempts + 1,
         dedupe_key = ${RELEASE_KEY_ON_CLAIM}
       WHERE j.id IN (SELECT id FROM durable_jobs WHERE queue = $1 AND run_at <= now() AND failed_at IS NULL AND (locked_until IS NULL OR locked_until < now())
                      ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING j.id, j.name, j.payload, j.run_at, j.attempts, j.max_attempts`,
      [this.queue, owner, leaseMs, limit],
    );
    return rows.sort((a, b) => new Date(a.run_at).getTime() - new Date(b.run_at).getTime() || Number(a.id) - Number(b.id));
  }

  /** A claimed repeating row moves on to `next` and hands its fire time to a new `fire` row leased to `owner`; null when it is gone. */
  async spawnFire(repeatId: string, owner: string, leaseMs: number, next: Date, maxAttempts: number): Promise<string | null> {
    const rows = await this.rows<{ fire_id: string | null }>(
      `WITH fire AS (
         INSERT INTO durable_jobs (queue, name, payload, run_at, attempts, max_attempts, locked_by, locked_until)
         SELECT queue, '${FIRE_JOB}', payload->'data', run_at, 1, $5, $2, now() + make_interval(secs => $3::float8 / 1000) FROM durable_jobs WHERE id = $1 AND locked_by = $2
         RETURNING id)
       UPDATE durable_jobs SET run_at = $4, locked_by = NULL, locked_until = NULL, attempts = 0 WHERE id = $1 AND locked_by = $2
       RETURNING (SELECT id FROM fire) AS fire_id`,
      [repeatId, owner, leaseMs, next, maxAttempts],
    );
    return rows[0]?.fire_id ?? null;
  }

  /** Handlers done: their rows go. */
  async complete(owner: string, ids: readonly string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM durable_jobs WHERE id = ANY($1::bigint[]) AND locked_by = $2`, [ids, owner]);
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE durable_jobs SET locked_until = now() + make_interval(secs => $3::float8 / 1000) WHERE id = ANY($1::bigint[]) AND locked_by = $2`,
      [ids, owner, leaseMs],
    );
  }

  /**
   * A handler threw: the row waits `retryMs` for its next delivery (as a lease held by nobody, so that run_at,
   * a repeating job's fire time, stays), or is given up past max_attempts.
   */
  async release(owner: string, id: string, error: string, retryMs: number | null): Promise<void> {
    if (retryMs !== null) {
      await this.dataSource.query(
        `UPDATE durable_jobs SET locked_by = NULL, last_error = $3, locked_until = now() + make_interval(secs => $4::float8 / 1000) WHERE id = $1 AND locked_by = $2`,
        [id, owner, error, retryMs],
      );
    } else await this.fail(id, error, owner);
  }

  /** Gives a row up (kept with failed_at for inspection), and keeps only the latest `keep` failed rows of the queue. */
  async fail(id: string, error: string, owner: string, keep = 100): Promise<void> {
    await this.dataSource.query(
      `UPDATE durable_jobs SET failed_at = now(), last_error = $3, locked_by = NULL, locked_until = NULL, dedupe_key = NULL WHERE id = $1 AND locked_by = $2`,
      [id, owner, error],
    );
    await this.dataSource.query(
      `DELETE FROM durable_jobs WHERE queue = $1 AND failed_at IS NOT NULL AND id NOT IN (SELECT id FROM durable_jobs WHERE queue = $1 AND failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT $2)`,
      [this.queue, keep],
    );
  }

  /** When the next row becomes claimable (due, or its lease lapses); null when there is none. */
  async nextClaimable(): Promise<Date | null> {
    const rows = await this.rows<{ next: Date | null }>(
      `SELECT min(GREATEST(run_at, COALESCE(locked_until, run_at))) AS next FROM durable_jobs WHERE queue = $1 AND failed_at IS NULL`,
      [this.queue],
    );
    return rows[0]?.next ? new Date(rows[0].next) : null;
  }

  async depth(): Promise<number> {
    const rows = await this.rows<{ n: number }>(`SELECT count(*)::int AS n FROM durable_jobs WHERE queue = $1 AND failed_at IS NULL AND locked_by IS NULL`, [
      this.queue,
    ]);
    return rows[0]?.n ?? 0;
  }

  /** Creates or updates a repeating row; an unchanged cron and zone keep their next fire time. */
  async upsertRepeat(key: string, cron: string, timezone: string, data: unknown, next: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO durable_jobs (queue, name, payload, run_at, dedupe_key) VALUES ($1, '${REPEAT_JOB}', $2, $3, $4)
       ON CONFLICT (queue, dedupe_key) DO UPDATE SET payload = EXCLUDED.payload,
         run_at = CASE WHEN durable_jobs.payload->>'cron' = $5 AND durable_jobs.payload->>'timezone' = $6 THEN durable_jobs.run_at ELSE EXCLUDED.run_at END`,
      [this.queue, JSON.stringify({ cron, timezone, data }), next, repeatKey(key), cron, timezone],
    );
  }

  async deleteRepeat(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM durable_jobs WHERE queue = $1 AND dedupe_key = $2`, [this.queue, repeatKey(key)]);
  }

  async repeatKeys(): Promise<string[]> {
    const rows = await this.rows<{ key: string }>(
      `SELECT substr(dedupe_key, 8) AS key FROM durable_jobs WHERE queue = $1 AND name = '${REPEAT_JOB}' ORDER BY 1`,
      [this.queue],
    );
    return rows.map((row) => row.key);
  }
}

function repeatKey(key: string): string {
  return `repeat:${key}`;
}
