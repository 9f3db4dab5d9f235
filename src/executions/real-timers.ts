// The real clock behind the engine's Timers port (engine/timers.ts), for both runners: Date.now and
// setTimeout, with an abort that clears the timer.
import type { Timers } from './engine/timers.js';

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
