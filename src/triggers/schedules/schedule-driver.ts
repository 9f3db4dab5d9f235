// What makes fire times happen: BullMQ job schedulers (REDIS_URL set) or the local scheduler on Postgres.
// Both call the same handler, and the handler's schedule_fires key makes each fire time run once.
import type { EntityManager } from 'typeorm';
import type { ScheduleIdentity } from './schedule-times.js';

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

export const SCHEDULE_DRIVER = Symbol('SCHEDULE_DRIVER');
export const SCHEDULES_QUEUE = 'schedules';
