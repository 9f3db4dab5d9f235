// The pure core of schedules: keys, fire times in a time zone (DST included, via cron-parser), and whether
// a fire is still on time or a misfire to skip. No I/O: both drivers (BullMQ and local) decide with it.
import { cronProblem, timezoneProblem } from '../../blocks/pin-formats.js';
import { cronFireTimes } from '../../blocks/library/trigger/trigger.cron.js';
import type { Problem } from '../../common/errors.js';

export interface ScheduleIdentity {
  id: string;
  kind: 'trigger' | 'adhoc';
  graph_id: string;
  node_id: string | null;
}

/** The dedupe key in schedule_fires: `trigger:<graph>/<node>` or `adhoc:<schedule id>`. */
export function scheduleKey(schedule: ScheduleIdentity): string {
  return schedule.kind === 'trigger' ? `trigger:${schedule.graph_id}/${schedule.node_id}` : `adhoc:${schedule.id}`;
}

/** The BullMQ job scheduler id (no colons: BullMQ builds job ids as `repeat:<id>:<millis>`). */
export function schedulerId(schedule: ScheduleIdentity): string {
  return schedule.kind === 'trigger' ? `cron/${schedule.graph_id}/${schedule.node_id}` : `adhoc/${schedule.id}`;
}

/** The next `count` fire times strictly after `from`. */
export function nextFireTimes(cron: string, timezone: string, count: number, from: Date): Date[] {
  return cronFireTimes(cron, timezone, count, from);
}

/** The first fire time strictly after `from`. */
export function nextFireAfter(cron: string, timezone: string, from: Date): Date {
  return cronFireTimes(cron, timezone, 1, from)[0]!;
}

/** Every fire time in (from, to]: what a day of a schedule looks like (DST days have 23 or 25 hours). */
export function fireTimesBetween(cron: string, timezone: string, from: Date, to: Date): Date[] {
  const times: Date[] = [];
  let cursor = from;
  for (;;) {
    const next = nextFireAfter(cron, timezone, cursor);
    if (next.getTime() > to.getTime()) return times;
    times.push(next);
    cursor = next;
  }
}

export type FireDecision = { action: 'fire' } | { action: 'skip'; lateMs: number };

/** A fire more than `graceMs` late is skipped (never replayed); anything else fires. */
export function decideFire(scheduledFor: Date, now: Date, graceMs: number): FireDecision {
  const lateMs = now.getTime() - scheduledFor.getTime();
  return lateMs > graceMs ? { action: 'skip', lateMs } : { action: 'fire' };
}

/** Problems of a schedule's cron and time zone, pointed into a request body. */
export function scheduleProblems(cron: unknown, timezone: unknown): Problem[] {
  const problems: Problem[] = [];
  if (typeof cron !== 'string' || cron.trim() === '') {
    problems.push({ pointer: '/cron', message: 'cron is required: a cron expression of 5 fields, or 6 with seconds first, such as "0 9 * * 1-5"' });
  } else {
    const problem = cronProblem(cron);
    if (problem) problems.push({ pointer: '/cron', message: problem });
  }
  if (timezone !== undefined) {
    const problem = typeof timezone === 'string' ? timezoneProblem(timezone) : 'expected an IANA time zone name such as "Europe/Berlin"';
    if (problem) problems.push({ pointer: '/timezone', message: problem });
  }
  return problems;
}
