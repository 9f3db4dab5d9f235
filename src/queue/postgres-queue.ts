// The durable queue on Postgres (REDIS_URL unset): durable_jobs rows under leases (durable-jobs.repository.ts).
// Enqueues in this process wake the consumer at once; a timer waits for the next due row or lapsing lease;
// a slow poll is only the safety net for rows written by other processes. Leases of the jobs in flight are
// renewed together on one timer, and finished jobs are deleted together once per turn of the event loop.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { nextCronFire } from './cron-fire.js';
import { DurableJobsRepository, FIRE_JOB, REPEAT_JOB, type ClaimedRow } from './durable-jobs.repository.js';
import { KEEP_FAILED } from './durable-queue.types.js';
import type { ConsumeOptions, DurableQueue, EnqueueOptions, JobHandler, QueueSettings, RepeatSchedule } from './durable-queue.types.js';

const SAFETY_POLL_MS = 1_000;

export class PostgresQueue<T> implements DurableQueue<T> {
  readonly driver = 'postgres' as const;
  private readonly jobs: DurableJobsRepository;
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private handler: JobHandler<T> | null = null;
  private concurrency = 1;
  /** Jobs in flight by row id. */
  private readonly running = new Map<string, Promise<void>>();
  private finished: string[] = [];
  private polling = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private safety: NodeJS.Timeout | null = null;
  private renewer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    dataSource: DataSource,
    private readonly settings: QueueSettings,
    private readonly logger: Logger,
  ) {
    this.jobs = new DurableJobsRepository(dataSource, name);
  }

  async enqueue(data: T, options: EnqueueOptions = {}): Promise<void> {
    await this.enqueueMany([{ data, options }]);
  }

  async enqueueMany(jobs: ReadonlyArray<{ data: T; options?: EnqueueOptions }>): Promise<void> {
    if (jobs.length === 0) return;
    const rows = jobs.map(({ data, options }) => ({ payload: data, delayMs: Math.max(0, options?.delayMs ?? 0), dedupeKey: options?.dedupeKey ?? null }));
    await this.jobs.insertMany(rows, this.settings.maxAttempts);
    if (!this.handler) return;
    if (rows.some((row) => row.delayMs === 0)) this.wake();
    for (const row of rows) if (row.delayMs > 0) this.wakeAt(Date.now() + row.delayMs);
  }

  async repeat(key: string, schedule: RepeatSchedule, data: T): Promise<void> {
    const next = nextCronFire(schedule, new Date());
    await this.jobs.upsertRepeat(key, schedule.cron, schedule.timezone, data, next);
    if (this.handler) this.wakeAt(next.getTime());
  }

  async unrepeat(key: string): Promise<void> {
    await this.jobs.deleteRepeat(key);
  }

  repeatKeys(): Promise<string[]> {
    return this.jobs.repeatKeys();
  }

  async consume(handler: JobHandler<T>, options: ConsumeOptions): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, options.concurrency);
    this.safety = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.renewer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.settings.leaseMs / 3)));
    this.wake();
  }

  async stop(): Promise<void> {
    this.handler = null;
    if (this.safety) clearInterval(this.safety);
    if (this.timer) clearTimeout(this.timer);
    this.safety = this.timer = null;
    // A claim in flight still delivers what it took; then no more start, and those running are awaited.
    while (this.polling) await new Promise((resolve) => setTimeout(resolve, 5));
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    await this.flushFinished();
    if (this.renewer) clearInterval(this.renewer);
    this.renewer = null;
  }

  depth(): Promise<number> {
    return this.jobs.depth();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private wake(): void {
    if (this.polling) {
      this.again = true;
      return;
    }
    void this.poll();
  }

  private wakeAt(at: number): void {
    if (!this.handler) return; // stopped while a claim looked up the next due row: no timer outlives stop()
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.max(20, at - Date.now() + 5));
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      do {
        this.again = false;
        const handler = this.handler;
        const room = this.concurrency - this.running.size;
        if (!handler || room <= 0 || !this.jobs.ready) break;
        const rows = await this.jobs.claim(this.owner, this.settings.leaseMs, room);
        for (const row of rows) await this.deliver(handler, row);
        if (rows.length === room) this.again = true;
        else if (this.handler) await this.armNext();
      } while (this.again);
    } catch (error) {
      this.logger.warn({ err: error, queue: this.name }, `could not read the ${this.name} queue; trying again shortly`);
    } finally {
      this.polling = false;
    }
  }

  private async deliver(handler: JobHandler<T>, row: ClaimedRow): Promise<void> {
    if (row.name === REPEAT_JOB) {
      const { cron, timezone } = row.payload as RepeatSchedule;
      const scheduledFor = new Date(row.run_at);
      const next = nextCronFire({ cron, timezone }, new Date(Math.max(Date.now(), scheduledFor.getTime())));
      const fireId = await this.jobs.spawnFire(row.id, this.owner, this.settings.leaseMs, next, this.settings.maxAttempts);
      if (fireId) this.run(handler, fireId, { data: (row.payload as { data: T }).data, attempt: 1, scheduledFor });
      return;
    }
    if (row.attempts > row.max_attempts) {
      await this.jobs.fail(row.id, `delivered ${row.max_attempts} times without finishing (its consumer was lost each time)`, this.owner, KEEP_FAILED);
      this.logger.error({ queue: this.name, job_id: row.id }, `a ${this.name} job was given up: its consumer was lost ${row.max_attempts} times`);
      return;
    }
    this.run(handler, row.id, { data: row.payload as T, attempt: row.attempts, scheduledFor: row.name === FIRE_JOB ? new Date(row.run_at) : null });
  }

  private run(handler: JobHandler<T>, id: string, job: Parameters<JobHandler<T>>[0]): void {
    const done = handler(job)
      .then(() => this.finish(id))
      .catch((error: unknown) => this.failed(id, job.attempt, error))
      .finally(() => {
        this.running.delete(id);
        if (this.handler) this.wake();
      });
    this.running.set(id, done);
  }

  /** Finished rows of this turn go in one DELETE. */
  private finish(id: string): void {
    if (this.finished.length === 0) setImmediate(() => void this.flushFinished());
    this.finished.push(id);
  }

  private async flushFinished(): Promise<void> {
    const ids = this.finished;
    if (ids.length === 0) return;
    this.finished = [];
    await this.jobs
      .complete(this.owner, ids)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, queue: this.name }, 'could not delete finished jobs; they are delivered again once their lease lapses'),
      );
  }

  private async failed(id: string, attempt: number, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const retry = attempt < this.settings.maxAttempts ? this.settings.retryBackoffMs * 2 ** (attempt - 1) : null;
    this.logger.error(
      { err: error, queue: this.name, job_id: id, attempt },
      `a ${this.name} job handler failed${retry === null ? '; the job is given up' : '; it is tried again'}`,
    );
    await this.jobs
      .release(this.owner, id, message, retry)
      .catch((e: unknown) => this.logger.warn({ err: e, queue: this.name }, 'could not release a failed job; its lease lapses'));
  }

  private async renew(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0 || !this.jobs.ready) return;
    await this.jobs
      .renew(this.owner, ids, this.settings.leaseMs)
      .catch((error: unknown) => this.logger.warn({ err: error, queue: this.name }, 'could not renew job leases (database unreachable?)'));
  }

  /** A timer for the next due row or lapsing lease, so it starts on time without polling. */
  private async armNext(): Promise<void> {
    const next = await this.jobs.nextClaimable();
    if (next) this.wakeAt(next.getTime());
  }
}
