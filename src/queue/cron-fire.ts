// The next fire time of a repeating job (the Postgres driver computes them; BullMQ's job schedulers do it
// themselves with the same cron-parser).
import { CronExpressionParser } from 'cron-parser';
import type { RepeatSchedule } from './durable-queue.types.js';

/** The first fire time of `schedule` strictly after `after`. */
export function nextCronFire(schedule: RepeatSchedule, after: Date): Date {
  return CronExpressionParser.parse(schedule.cron.trim().split(/\s+/).join(' '), { tz: schedule.timezone, currentDate: after }).next().toDate();
}
