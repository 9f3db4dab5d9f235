// Schedules on BullMQ: one job scheduler per schedule (`upsertJobScheduler` with the cron and `tz`),
// keyed by graph and node or by ad-hoc schedule id, so upserts from every replica are idempotent. Each job
// carries its fire time (`opts.prevMillis`, also the tail of the job id); BullMQ creates the next job when
// one starts, computed from now, so a long outage never turns into a burst.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedis } from '../../common/redis.js';
import { schedulerId, type ScheduleIdentity } from './schedule-times.js';
import { SCHEDULES_QUEUE, type DriverSchedule, type FireHandler, type ScheduleDriver } from './schedule-driver.js';

/** The fire time a scheduler job stands for. */
export function jobFireTime(job: Pick<Job, 'id' | 'opts' | 'timestamp'>): Date {
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number' && prev > 0) return new Date(prev);
  const tail = Number(String(job.id ?? '').split(':').pop());
  return new Date(Number.isFinite(tail) && tail > 0 ? tail : job.timestamp);
}

export class BullMqScheduleDriver implements ScheduleDriver {
  readonly mode = 'bullmq' as const;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private workerConnection: Redis | null = null;

  constructor(
    private readonly redisUrl: string,
    connection: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue(SCHEDULES_QUEUE, { connection, prefix });
    this.queue.on('error', (error) => this.logger.warn({ err: error }, 'schedules queue: Redis error'));
  }

  async apply(schedules: readonly DriverSchedule[]): Promise<void> {
    for (const schedule of schedules) {
      const id = schedulerId(schedule);
      if (!schedule.enabled) {
        await this.queue.removeJobScheduler(id);
        continue;
      }
      await this.queue.upsertJobScheduler(
        id,
        { pattern: schedule.cron.trim().split(/\s+/).join(' '), tz: schedule.timezone },
        { name: 'fire', data: { schedule_id: schedule.id }, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    }
  }

  async remove(schedules: readonly ScheduleIdentity[]): Promise<void> {
    for (const schedule of schedules) await this.queue.removeJobScheduler(schedulerId(schedule));
  }

  async start(handler: FireHandler): Promise<void> {
    this.workerConnection = createRedis(this.redisUrl);
    this.worker = new Worker(SCHEDULES_QUEUE, async (job) => {
        const executionId = await handler.fire(String((job.data as { schedule_id: string }).schedule_id), jobFireTime(job));
        if (executionId) await handler.dispatch(executionId);
      },
      {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: 8,
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'schedules worker: Redis error'));
  }

  /** Job schedulers under this prefix (tests and diagnostics). */
  async schedulerIds(): Promise<string[]> {
    return (await this.queue.getJobSchedulers(0, -1)).map((s) => s.key);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.close();
    this.workerConnection?.disconnect();
    this.workerConnection = null;
    await this.queue.close();
  }
}
