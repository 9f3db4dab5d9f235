import { describe, expect, it } from '@jest/globals';
import { fakeTimers } from '../engine/engine.fixtures.js';
import { RunTimers } from './run-timers.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('RunTimers', () => {
  it('fires an armed key once when its time comes', async () => {
    const clock = fakeTimers();
    const timers = new RunTimers(clock);
    const fired: string[] = [];
    timers.arm('r1', 100, () => fired.push('r1'));
    expect(clock.fire(100)).toBe(1);
    await turn();
    expect(fired).toEqual(['r1']);
    expect(timers.size).toBe(0);
  });

  it('arming a key again replaces its timer, and a cleared key never fires', async () => {
    const clock = fakeTimers();
    const timers = new RunTimers(clock);
    const fired: string[] = [];
    timers.arm('r1', 100, () => fired.push('first'));
    timers.arm('r1', 200, () => fired.push('second'));
    timers.arm('r2', 300, () => fired.push('r2'));
    timers.clear('r2');
    expect(clock.fire(100)).toBe(0);
    expect(clock.fire(300)).toBe(0);
    expect(clock.fire(200)).toBe(1);
    await turn();
    expect(fired).toEqual(['second']);
  });

  it('clearAll stops every timer', async () => {
    const clock = fakeTimers();
    const timers = new RunTimers(clock);
    const fired: string[] = [];
    timers.arm('a', 10, () => fired.push('a'));
    timers.arm('b', 20, () => fired.push('b'));
    timers.clearAll();
    expect(clock.fire(10) + clock.fire(20)).toBe(0);
    await turn();
    expect(fired).toEqual([]);
  });
});
