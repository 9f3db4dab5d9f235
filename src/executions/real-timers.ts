// The real clock behind the engine's Timers port (engine/timers.ts), for both runners: Date.now and
// setTimeout, with an abort that clears the timer.
//
// Most sleeps are an attempt's timeout or an execution's deadline, and most of those are over (their signal
// aborted) before the event loop turns: an instant block's attempt ends within the microtasks that started it.
// So a sleep is armed (its setTimeout and its abort listener) only at the next turn of the loop, once for all
// the sleeps started in this one, and only if its signal has not aborted by then; one that has rejects then,
// with the signal's reason. Its due time is counted from the call, not from the arming.
import type { Timers } from './engine/timers.js';

/** setTimeout caps at 2^31-1 ms; longer waits (a 30-day delay) are clamped rather than firing at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

interface PendingSleep {
  due: number;
  signal: AbortSignal;
  resolve(): void;
  reject(reason: unknown): void;
}

/** Sleeps started since the loop last turned (armed together by armPending). */
let pending: PendingSleep[] = [];

function armPending(): void {
  const batch = pending;
  pending = [];
  const now = Date.now();
  for (const sleep of batch) arm(sleep, now);
}

function arm({ due, signal, resolve, reject }: PendingSleep, now: number): void {
  if (signal.aborted) return reject(signal.reason);
  const onAbort = () => {
    clearTimeout(timer);
    reject(signal.reason);
  };
  const timer = setTimeout(
    () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    },
    Math.min(Math.max(0, due - now), MAX_TIMEOUT_MS),
  );
  signal.addEventListener('abort', onAbort, { once: true });
}

export const realTimers: Timers = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      if (pending.length === 0) setImmediate(armPending);
      pending.push({ due: Date.now() + ms, signal, resolve, reject });
    });
  },
};
