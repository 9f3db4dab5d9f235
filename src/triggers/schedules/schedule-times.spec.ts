import { describe, expect, it } from '@jest/globals';
import { decideFire, fireTimesBetween, nextFireAfter, scheduleKey, scheduleProblems, schedulerId, shortestGapMs } from './schedule-times.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('schedule times', () => {
  it('keys trigger and ad-hoc schedules apart, with scheduler ids free of colons', () => {
    const trigger = { id: 'x', kind: 'trigger' as const, graph_id: 'digest', node_id: 'daily' };
    const adhoc = { id: '5f0c', kind: 'adhoc' as const, graph_id: 'digest', node_id: null };
    expect(scheduleKey(trigger)).toBe('trigger:digest/daily');
    expect(scheduleKey(adhoc)).toBe('adhoc:5f0c');
    expect(schedulerId(trigger)).toBe('cron/digest/daily');
    expect(schedulerId(adhoc)).toBe('adhoc/5f0c');
  });

  it('fires an hourly cron 23 times on the spring-forward day in Europe/Berlin, one hour apart', () => {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; the local day runs 2026-03-28T23:00Z .. 2026-03-29T22:00Z.
    const times = fireTimesBetween('0 * * * *', 'Europe/Berlin', new Date('2026-03-28T22:59:59Z'), new Date('2026-03-29T21:59:59Z'));
    expect(times).toHaveLength(23);
    expect(times.slice(1).every((t, i) => t.getTime() - times[i]!.getTime() === 3_600_000)).toBe(true);
    expect(iso(times.slice(0, 3))).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
  });

  it('fires an hourly cron 25 times on the fall-back day in Europe/Berlin: 02:00 happens twice', () => {
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET; the local day runs 2026-10-24T22:00Z .. 2026-10-25T23:00Z.
    const times = fireTimesBetween('0 * * * *', 'Europe/Berlin', new Date('2026-10-24T21:59:59Z'), new Date('2026-10-25T22:59:59Z'));
    expect(times).toHaveLength(25);
    expect(iso(times).filter((t) => t === '2026-10-25T00:00:00.000Z' || t === '2026-10-25T01:00:00.000Z')).toHaveLength(2);
  });

  it('fires a daily 02:30 in Europe/Berlin once on both DST days: moved to 03:30 when 02:30 does not exist, once when it exists twice', () => {
    expect(iso(fireTimesBetween('30 2 * * *', 'Europe/Berlin', new Date('2026-03-28T23:00:00Z'), new Date('2026-03-29T22:00:00Z')))).toEqual([
      '2026-03-29T01:30:00.000Z',
    ]);
    expect(iso(fireTimesBetween('30 2 * * *', 'Europe/Berlin', new Date('2026-10-24T22:00:00Z'), new Date('2026-10-25T23:00:00Z')))).toEqual([
      '2026-10-25T00:30:00.000Z',
    ]);
  });

  it('keeps a 9:00 America/New_York schedule at 9:00 local across the March change', () => {
    expect(iso(fireTimesBetween('0 9 * * *', 'America/New_York', new Date('2026-03-07T00:00:00Z'), new Date('2026-03-09T23:59:59Z')))).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('gives the next per-second fire strictly after a time', () => {
    expect(nextFireAfter('* * * * * *', 'UTC', new Date('2026-01-01T00:00:00.400Z')).toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(nextFireAfter('* * * * * *', 'UTC', new Date('2026-01-01T00:00:01.000Z')).toISOString()).toBe('2026-01-01T00:00:02.000Z');
  });

  it('fires within the grace and skips a fire later than it', () => {
    const at = new Date('2026-01-01T09:00:00Z');
    expect(decideFire(at, new Date('2026-01-01T09:00:59Z'), 60_000)).toEqual({ action: 'fire' });
    expect(decideFire(at, new Date('2026-01-01T09:01:00Z'), 60_000)).toEqual({ action: 'fire' });
    expect(decideFire(at, new Date('2026-01-01T09:05:00Z'), 60_000)).toEqual({ action: 'skip', lateMs: 300_000 });
  });

  it('explains bad crons and time zones, pointing into the body', () => {
    expect(scheduleProblems('0 9 * * 1-5', 'Europe/Berlin')).toEqual([]);
    expect(scheduleProblems('0 9 * * 1-5', undefined)).toEqual([]);
    expect(scheduleProblems('* * *', 'Berlin')).toEqual([
      { pointer: '/cron', message: expect.stringContaining('expected a cron expression of 5 fields') },
      { pointer: '/timezone', message: expect.stringContaining('"Berlin" is not an IANA time zone') },
    ]);
    expect(scheduleProblems('', 5)).toEqual([
      { pointer: '/cron', message: expect.stringContaining('cron is required') },
      { pointer: '/timezone', message: expect.stringContaining('expected an IANA time zone name') },
    ]);
    expect(scheduleProblems('0 25 * * *', 'UTC')[0]!.message).toContain('not a valid cron expression');
  });

  it.each([
    ['* * * * * *', 1_000],
    ['*/30 * * * * *', 30_000],
    ['0,1 9 * * *', 60_000],
    ['* * * * *', 60_000],
    ['*/5 * * * *', 300_000],
    ['0 9 * * 1-5', 86_400_000],
    ['59 23 * * *', 86_400_000],
    ['0 0 1 1 *', 86_400_000],
    // 23:59 then 00:00 of the next day.
    ['0,59 0,23 * * *', 60_000],
  ] as const)('finds the shortest gap between fires of %s: %p ms', (cron, gap) => {
    expect(shortestGapMs(cron)).toBe(gap);
  });
});
