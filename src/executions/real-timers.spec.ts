import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { realTimers } from './real-timers.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('realTimers.sleep', () => {
  afterEach(() => void jest.restoreAllMocks());

  it('a sleep whose signal aborts before the loop turns rejects with its reason and never sets a timer', async () => {
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const controller = new AbortController();
    const slept = realTimers.sleep(60_000, controller.signal);
    controller.abort('over');
    await expect(slept).rejects.toBe('over');
    expect(setTimeoutSpy).not.toHaveBeenCalled();
  });

  it('a sleep still wanted when the loop turns is armed: it resolves when due, or rejects at once when aborted', async () => {
    const due = new AbortController();
    const started = Date.now();
    await realTimers.sleep(5, due.signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4);

    const long = new AbortController();
    const slept = realTimers.sleep(60_000, long.signal);
    const settled = slept.then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    await turn();
    long.abort('cancelled');
    expect(await settled).toBe('cancelled');
  });

  it('an already aborted signal rejects at once', async () => {
    await expect(realTimers.sleep(10, AbortSignal.abort('gone'))).rejects.toBe('gone');
  });
});
