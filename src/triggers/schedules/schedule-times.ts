// The pure core of schedules: keys, fire times in a time zone (DST included, via cron-parser), and whether
// a fire is still on time or a misfire to skip. No I/O: both drivers (BullMQ and local) decide with it.
import { cronProblem, timezoneProblem } from '../../blocks/pin-formats.js';
import { CronExpressionParser } from 'cron-parser';
import { cronFireTimes } from '../../blocks/library/trigger/trigger.cron.js';
import type { Problem } from '../../common/errors.js';
import { formatDuration } from '../../common/units.js';

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

/**
 * The shortest gap in ms between two consecutive fire times of `cron`:
 * `* * * * * *` has a 1 s gap, `0,1 9 * * *` a 60 s one, `59 23 * * *` none below a day. Computed from the
 * cron's fields (iterating fires costs ~0.2 ms each, seconds for `* * * * *`): every matching day fires at the
 * same times of day, so the gaps are those between them, and from the day's last fire to the first of the
 * next day (counted as if the next day matched, which errs toward refusing). DST shifts are not counted.
 */
export function shortestGapMs(cron: string): number {
  const fields = CronExpressionParser.parse(cron.trim().split(/\s+/).join(' ')).fields;
  const times: number[] = [];
  for (const hour of fields.hour.values)
    for (const minute of fields.minute.values) for (const second of fields.second.values) times.push(hour * 3_600 + minute * 60 + Number(second));
  times.sort((a, b) => a - b);
  let shortest = 86_400 - times[times.length - 1]! + times[0]!;
  for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i]! - times[i - 1]!);
  return shortest * 1_000;
}

/** The /cron problem of an ordinary user's ad-hoc schedule that fires more often than `minMs` (schedules.min_interval). */
export function intervalProblem(cron: string, minMs: number): Problem | null {
  const gap = shortestGapMs(cron);
  if (gap >= minMs) return null;
  return {
    pointer: '/cron',
    message: `"${cron.trim()}" fires ${formatDuration(gap)} apart at times, more often than ad-hoc schedules may (schedules.min_interval: ${formatDuration(minMs)}): use a cron whose fires are at least ${formatDuration(minMs)} apart, or ask an admin`,
  };
}
