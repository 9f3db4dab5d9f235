import { describe, expect, it } from '@jest/globals';
import { AdhocIntervals } from './adhoc-intervals.service.js';

describe('AdhocIntervals (schedules.min_interval)', () => {
  const intervals = new AdhocIntervals({ schedules: { min_interval: 60_000 } } as ConstructorParameters<typeof AdhocIntervals>[0]);

  it("refuses an ordinary user's schedule that fires closer than the interval, naming /cron, and lets one a minute apart pass", () => {
    expect(intervals.problem('* * * * * *', 'user')).toEqual({ pointer: '/cron', message: expect.stringContaining('schedules.min_interval: 1m') });
    expect(intervals.problem('0 * * * * *', 'user')).toBeNull();
  });

  it("lets an admin's schedule fire as often as it likes, and throws on a cron that cannot be read", () => {
    expect(intervals.problem('* * * * * *', 'admin')).toBeNull();
    expect(() => intervals.problem('not a cron', 'user')).toThrow();
  });
});
