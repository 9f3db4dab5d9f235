import { describe, expect, it } from '@jest/globals';
import { FixedWindowCounter } from './rate-limit.window.js';

describe('FixedWindowCounter', () => {
  const rate = { limit: 3, windowMs: 60_000 };

  it('allows up to the limit in a window, then refuses with the time left', () => {
    let now = 1_000;
    const counter = new FixedWindowCounter(() => now);
    expect([1, 2, 3].map(() => counter.hit('a', rate).allowed)).toEqual([true, true, true]);
    now += 20_000;
    expect(counter.hit('a', rate)).toEqual({ allowed: false, count: 4, retryAfterMs: 40_000 });
  });

  it('starts a new window once the old one ends', () => {
    let now = 0;
    const counter = new FixedWindowCounter(() => now);
    for (let i = 0; i < 5; i++) counter.hit('a', rate);
    now = 60_000;
    expect(counter.hit('a', rate)).toEqual({ allowed: true, count: 1, retryAfterMs: 60_000 });
  });

  it('counts each bucket apart', () => {
    const counter = new FixedWindowCounter(() => 0);
    for (let i = 0; i < 3; i++) counter.hit('a', rate);
    expect(counter.hit('a', rate).allowed).toBe(false);
    expect(counter.hit('b', rate).allowed).toBe(true);
  });

  it('keeps memory bounded: finished windows are dropped when the table is full', () => {
    let now = 0;
    const counter = new FixedWindowCounter(() => now, 10);
    for (let i = 0; i < 10; i++) counter.hit(`old-${i}`, rate);
    now = 120_000;
    counter.hit('new', rate);
    expect(counter.size).toBe(1);
  });

  it('starts over rather than grow when every window is live', () => {
    const counter = new FixedWindowCounter(() => 0, 10);
    for (let i = 0; i < 25; i++) counter.hit(`id-${i}`, rate);
    expect(counter.size).toBeLessThanOrEqual(10);
  });
});
