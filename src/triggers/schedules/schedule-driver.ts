// What makes fire times happen: one repeating job per schedule on the durable queue `schedules` (src/queue:
// BullMQ job schedulers with tz when REDIS_URL is set, repeating durable_jobs rows otherwise), keyed by graph
// and node or by ad-hoc schedule id, so upserts from every replica are idempotent. Each delivery carries its
// fire time; the handler's schedule_fires key makes each fire time run once, however often it is delivered.
import type { EntityManager } from 'typeorm';
import type { DurableQueue } from '../../queue/durable-queue.types.js';
import { schedulerId, type ScheduleIdentity } from './schedule-times.js';

export interface FireHandler {
  /** Creates the execution for one fire time (in `manager`'s transaction when given); null when skipped or a duplicate. */
  fire(scheduleId: string, scheduledFor: Date, manager?: EntityManager): Promise<string | null>;
  /** After the commit: asks a worker to run it. */
  dispatch(executionId: string): Promise<void>;
}

export interface DriverSchedule extends ScheduleIdentity {
  cron: string;
  timezone: string;
  /** False when paused or its graph is inactive: the driver stops it. */
  enabled: boolean;
}

export interface ScheduleDriver {
  readonly mode: 'bullmq' | 'local';
  /** Makes the driver's view match: enabled schedules fire, others stop (idempotent; every replica may call it). */
  apply(schedules: readonly DriverSchedule[]): Promise<void>;
  /** Forgets schedules that no longer exist. */
  remove(schedules: readonly ScheduleIdentity[]): Promise<void>;
  /** Worker side: start calling `handler` at fire times. */
  start(handler: FireHandler): Promise<void>;
  close(): Promise<void>;
}

export class QueueScheduleDriver implements ScheduleDriver {
  readonly mode: 'bullmq' | 'local';

  constructor(
    private readonly queue: DurableQueue<{ schedule_id: string }>,
    private readonly concurrency: number,
  ) {
    this.mode = queue.driver === 'bullmq' ? 'bullmq' : 'local';
  }

  async apply(schedules: readonly DriverSchedule[]): Promise<void> {
    for (const schedule of schedules) {
      if (schedule.enabled) await this.queue.repeat(schedulerId(schedule), { cron: schedule.cron, timezone: schedule.timezone }, { schedule_id: schedule.id });
      else await this.queue.unrepeat(schedulerId(schedule));
    }
  }

  async remove(schedules: readonly ScheduleIdentity[]): Promise<void> {
    for (const schedule of schedules) await this.queue.unrepeat(schedulerId(schedule));
  }

  start(handler: FireHandler): Promise<void> {
    return this.queue.consume(
      async (job) => {
        const executionId = await handler.fire(String(job.data.schedule_id), job.scheduledFor ?? new Date());
        if (executionId) await handler.dispatch(executionId);
      },
      { concurrency: this.concurrency },
    );
  }

  /** The repeating jobs (tests and diagnostics). */
  schedulerIds(): Promise<string[]> {
    return this.queue.repeatKeys();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export const SCHEDULE_DRIVER = Symbol('SCHEDULE_DRIVER');
export const SCHEDULES_QUEUE = 'schedules';
