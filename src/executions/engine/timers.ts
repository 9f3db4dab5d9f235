// Time as the in-memory runner sees it: injectable, so tests never wait for a backoff, a delay or a timeout.

export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as the signal aborts (and clears the timer). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      // setTimeout caps at 2^31-1 ms; longer waits (a 30-day delay) are clamped rather than firing at once.
      const timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(Math.max(0, ms), 2_147_483_647),
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};
