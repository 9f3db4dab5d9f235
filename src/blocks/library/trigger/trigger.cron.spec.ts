import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { cronFireTimes, cronTriggerBlock } from './trigger.cron.js';

describe('trigger.cron', () => {
  it('passes a fire through', async () => {
    const event = { fired_at: '2026-01-05T09:00:01.000Z', scheduled_for: '2026-01-05T09:00:00.000Z', payload: { report: 'daily' } };
    expect(await run(cronTriggerBlock, { schedule: '0 9 * * 1-5', event })).toEqual([
      ['fired_at', event.fired_at],
      ['scheduled_for', event.scheduled_for],
      ['payload', { report: 'daily' }],
    ]);
  });

  it('simulates the latest fire time when run without one, with the constant payload', async () => {
    const outputs = Object.fromEntries(await run(cronTriggerBlock, { schedule: '*/5 * * * *', payload: { n: 1 } }));
    const scheduled = new Date(outputs.scheduled_for as string);
    expect(scheduled.getUTCMinutes() % 5).toBe(0);
    expect(scheduled.getUTCSeconds()).toBe(0);
    expect(scheduled.getTime()).toBeLessThanOrEqual(new Date(outputs.fired_at as string).getTime());
    expect(outputs.payload).toEqual({ n: 1 });
  });

  it('computes fire times in the time zone', () => {
    const from = new Date('2026-03-02T00:00:00Z');
    expect(cronFireTimes('0 9 * * *', 'Europe/Paris', 2, from).map((d) => d.toISOString())).toEqual(['2026-03-02T08:00:00.000Z', '2026-03-03T08:00:00.000Z']);
    expect(cronFireTimes('*/30 * * * * *', 'UTC', 2, from).map((d) => d.toISOString())).toEqual(['2026-03-02T00:00:30.000Z', '2026-03-02T00:01:00.000Z']);
  });

  it('refuses bad schedules and time zones, saying why', async () => {
    const error = await runError(cronTriggerBlock, { schedule: '* * *', timezone: 'Paris' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('schedule: expected a cron expression of 5 fields');
    expect(error.message).toContain('timezone: "Paris" is not an IANA time zone');
    expect((await runError(cronTriggerBlock, { schedule: '0 25 * * *' })).message).toContain('not a valid cron expression');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(cronTriggerBlock, { schedule: '* * * * *' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
