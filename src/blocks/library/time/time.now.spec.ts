import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { runError, runToObject } from '../../../../test/blocks/context.js';
import { timeNowBlock } from './time.now.js';

describe('time.now', () => {
  it('yields the time now as ISO (with the zone offset), unix seconds and formatted', async () => {
    const before = Math.floor(Date.now() / 1000);
    const out = await runToObject(timeNowBlock, { timezone: 'Asia/Tokyo', format: 'yyyy-MM-dd ZZ' });
    const after = Math.ceil(Date.now() / 1000);
    expect(out.iso).toMatch(/\+09:00$/);
    expect(out.unix).toBeGreaterThanOrEqual(before);
    expect(out.unix).toBeLessThanOrEqual(after);
    expect(DateTime.fromISO(out.iso as string).toSeconds()).toBeGreaterThanOrEqual(before);
    expect(out.formatted).toMatch(/^\d{4}-\d{2}-\d{2} \+09:00$/);
  });

  it('defaults to UTC and yyyy-MM-dd HH:mm:ss', async () => {
    const out = await runToObject(timeNowBlock, {});
    expect(out.iso).toMatch(/Z$|\+00:00$/);
    expect(out.formatted).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('refuses unknown time zones', async () => {
    expect((await runError(timeNowBlock, { timezone: 'Moon/Base' })).message).toContain('timezone: "Moon/Base" is not an IANA time zone');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(timeNowBlock, {}, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
