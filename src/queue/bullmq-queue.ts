// The durable queue on BullMQ (REDIS_URL set): one BullMQ queue under the queue prefix, a Worker with a
// connection of its own while consuming. A dedupe key is the job id (BullMQ ignores an add whose id
// exists, waiting or running); jobs are removed when done, and also when failed, since a kept failed job
// would hold its id. Repeating jobs are BullMQ job schedulers (cron with tz), whose next job is created
// when one starts, computed from now, so an outage never turns into a burst.
import { createRequire } from 'node:module';
import type * as BullMq from 'bullmq';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ConsumeOptions, DurableQueue, EnqueueOptions, JobHandler, QueueSettings, RepeatSchedule } from './durable-queue.types.js';

/** The fire time a job scheduler's job stands for (`opts.prevMillis`, else the tail of its id). */
export function jobFireTime(job: Pick<Job, 'id' | 'opts' | 'timestamp'>): Date {
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number' && prev > 0) return new Date(prev);
  const tail = Number(
    String(job.id ?? '')
      .split(':')
      .pop(),
  );
  return new Date(Number.isFinite(tail) && tail > 0 ? tail : job.timestamp);
}

/**
 * BullMQ, loaded when a queue on Redis is made (REDIS_URL set), not with the server: its package is CommonJS
 * (no ESM build that Node would pick), so this is the module an `import` would load.
 */
const require = createRequire(import.meta.url);
const bullmq = () => require('bullmq') as typeof BullMq;

/** ioredis connection states after a connection was lost (a first connect is 'wait', 'connecting' or 'connect'). */
const LOST = new Set(['reconnecting', 'close', 'end']);
/** BullMQ's SchedulerJobIdCollision and SchedulerJobSlotsBusy: the iteration an upsert would add exists. */
const SCHEDULER_COLLISIONS = new Set([-10, -11]);
/** How long an enqueue waits for Redis before its caller goes on without it. */
const ENQUEUE_WAIT_MS = 3_000;

export interface BullMqConnections {
  /** The shared connection for adding jobs. */
  connection: Redis;
  /** A new connection for a worker (blocking commands need one of their own). */
  workerConnection: () => Redis;
  prefix: string;
}

export class BullMqQueue<T> implements DurableQueue<T> {
  readonly driver = 'bullmq' as const;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private workerConnection: Redis | null = null;

  constructor(
    readonly name: string,
    private readonly connections: BullMqConnections,
    private readonly settings: QueueSettings,
    private readonly logger: Logger,
  ) {
    this.queue = new (bullmq().Queue)(name, { connection: connections.connection, prefix: connections.prefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error, queue: name }, `${name} queue: Redis error`));
  }

  private get jobOptions() {
    return {
      removeOnComplete: true,
      removeOnFail: true,
      attempts: this.settings.maxAttempts,
      backoff: { type: 'exponential', delay: this.settings.retryBackoffMs },
    };
  }

  /**
   * enqueue and enqueueMany throw at once while the connection is lost, and after ENQUEUE_WAIT_MS without an
   * answer: ioredis would hold the command until Redis is back, and with it the request that enqueues (an
   * execute request, a review decision). The
   * callers' rows are durable in Postgres; what they failed to enqueue, the sweep enqueues when Redis is back. A
   * command that did go out may still land later: the dedupe key makes that harmless.
   */
  async enqueue(data: T, options: EnqueueOptions = {}): Promise<void> {
    this.refuseWhileLost();
    await this.withinWait(this.queue.add('job', data, this.addOptions(options)));
  }

  /** BullMQ's add script once per job in one pipeline (addBulk): one write and one read for the whole group. */
  async enqueueMany(jobs: ReadonlyArray<{ data: T; options?: EnqueueOptions }>): Promise<void> {
    if (jobs.length === 0) return;
    // One job: a plain add (a pipeline costs more to build than the one round trip it would save).
    if (jobs.length === 1) return this.enqueue(jobs[0]!.data, jobs[0]!.options);
    this.refuseWhileLost();
    await this.withinWait(this.queue.addBulk(jobs.map(({ data, options }) => ({ name: 'job', data, opts: this.addOptions(options ?? {}) }))));
  }

  private addOptions(options: EnqueueOptions) {
    const delay = Math.max(0, options.delayMs ?? 0);
    return { ...this.jobOptions, ...(options.dedupeKey ? { jobId: options.dedupeKey } : {}), ...(delay > 0 ? { delay } : {}) };
  }

  private refuseWhileLost(): void {
    const status = this.connections.connection.status;
    if (LOST.has(status)) throw new Error(`Redis is unreachable (connection ${status}): the ${this.name} job was not added`);
  }

  private async withinWait(added: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_WAIT_MS} ms: the ${this.name} job may not be added`)), ENQUEUE_WAIT_MS);
    });
    added.catch(() => undefined);
    try {
      await Promise.race([added, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async repeat(key: string, schedule: RepeatSchedule, data: T): Promise<void> {
    const pattern = schedule.cron.trim().split(/\s+/).join(' ');
    for (let attempt = 1; ; attempt++) {
      try {
        await this.queue.upsertJobScheduler(key, { pattern, tz: schedule.timezone }, { name: 'fire', data, opts: this.jobOptions });
        return;
      } catch (error) {
        // Replicas set up the same schedules at start: an upsert whose next fire time is an iteration another
        // process is running meets that job's id (BullMQ's SchedulerJobIdCollision). The schedule is in place
        // when the scheduler holds this very pattern and zone; otherwise the next fire time is tried once more.
        if (!SCHEDULER_COLLISIONS.has((error as { code?: unknown }).code as number)) throw error;
        const current = await this.queue.getJobScheduler(key);
        if (current?.pattern === pattern && (current.tz ?? undefined) === schedule.timezone) return;
        if (attempt >= 2) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async unrepeat(key: string): Promise<void> {
    await this.queue.removeJobScheduler(key);
  }

  async repeatKeys(): Promise<string[]> {
    return (await this.queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
  }

  async consume(handler: JobHandler<T>, options: ConsumeOptions): Promise<void> {
    this.workerConnection = this.connections.workerConnection();
    this.worker = new (bullmq().Worker)(
      this.name,
      async (job: Job) => handler({ data: job.data as T, attempt: Math.max(1, job.attemptsStarted), scheduledFor: job.repeatJobKey ? jobFireTime(job) : null }),
      {
        connection: this.workerConnection,
        prefix: this.connections.prefix,
        concurrency: Math.max(1, options.concurrency),
        lockDuration: this.settings.leaseMs,
        stalledInterval: this.settings.leaseMs,
        maxStalledCount: Math.max(0, this.settings.maxAttempts - 1),
      },
    );
    this.worker.on('error', (error) => this.logger.warn({ err: error, queue: this.name }, `${this.name} worker: Redis error`));
    this.worker.on('failed', (job, error) =>
      this.logger.error({ err: error, queue: this.name, job_id: job?.id, attempt: job?.attemptsStarted }, `a ${this.name} job handler failed`),
    );
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.close();
    this.workerConnection?.disconnect();
    this.workerConnection = null;
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.queue.close();
  }
}
