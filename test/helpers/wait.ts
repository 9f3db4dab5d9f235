// Waiting for a state, never sleeping for a guess: polls `probe` until `done` holds, within a bound.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said in the error when the bound runs out. */
  what?: string;
}

/** The longest pause between two polls (unless the caller asks for longer): at most this much later than the state. */
const SLOWEST_POLL_MS = 100;

export async function waitFor<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 20, what = 'the expected state' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  // Quick at first (most states arrive within a few polls), then slower: a wait of seconds (a lease lapsing,
  // a child process booting) polled Postgres 50 times a second, each poll CPU taken from the processes awaited.
  let delay = intervalMs;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.5, Math.max(intervalMs, SLOWEST_POLL_MS));
  }
}
