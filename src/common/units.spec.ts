import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration, parseRate, parseSize } from './units.js';

describe('units', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['14d', 1_209_600_000],
    ['1.5s', 1500],
  ])('parses the duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', '10 minutes', '-1s', 's', 5])('refuses %p as a duration', (text) => expect(parseDuration(text)).toBeNull());

  it('formats durations in the largest whole unit', () => {
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(1500)).toBe('1500ms');
  });

  it('parses sizes in binary units', () => {
    expect(parseSize('1mb')).toBe(1024 * 1024);
    expect(parseSize('25MB')).toBe(25 * 1024 * 1024);
    expect(parseSize('512kb')).toBe(512 * 1024);
    expect(parseSize('lots')).toBeNull();
  });

  it('parses rates and off', () => {
    expect(parseRate('6000/min')).toEqual({ limit: 6000, windowMs: 60_000 });
    expect(parseRate('10/s')).toEqual({ limit: 10, windowMs: 1000 });
    expect(parseRate('off')).toBe('off');
    expect(parseRate('fast')).toBeNull();
  });
});
