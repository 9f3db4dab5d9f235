// Time as the runners see it: a port, so the engine reads no clock and tests never wait for a backoff, a delay
// or a timeout. The real clock is executions/real-timers.ts.

export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason once the signal aborts (the real clock: by the next turn of the event loop), clearing the timer. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}
