// Virtual time for agent tests: retry backoffs, time.delay and timeouts pass at once, yet in order.
// The clock jumps to the next deadline only while no block is running (a block awaiting real work, say
// code.js in its sandbox, holds the clock), so a timeout never fires because a test ran fast.
import type { BlockAttemptFn } from '../executions/engine/block-attempt.js';
import { runValidatedBlock } from '../blocks/validated-run.js';
import type { Timers } from '../executions/engine/timers.js';

interface Sleeper {
  deadline: number;
  resolve(): void;
}

export class VirtualClock implements Timers {
  private offset = 0;
  private running = 0;
  private sleepers: Sleeper[] = [];
  private checkQueued = false;

  constructor(private readonly start = Date.now()) {}

  now(): number {
    return this.start + this.offset;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        deadline: this.offset + Math.max(0, ms),
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.queueCheck();
    });
  }

  /** The block attempt function (inputs validated, defaults applied, yields checked, as in production), counting running attempts so the clock waits for them. */
  readonly runAttempt: BlockAttemptFn = (request) => {
    const clock = this;
    return (async function* () {
      clock.running++;
      try {
        yield* runValidatedBlock(request);
      } finally {
        clock.running--;
        clock.queueCheck();
      }
    })();
  };

  private queueCheck(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    // After the pending promise callbacks have run: only then is the run really idle.
    setImmediate(() => {
      this.checkQueued = false;
      this.advance();
    });
  }

  private advance(): void {
    if (this.running > 0 || this.sleepers.length === 0) return;
    const next = Math.min(...this.sleepers.map((s) => s.deadline));
    this.offset = Math.max(this.offset, next);
    const due = this.sleepers.filter((s) => s.deadline <= this.offset);
    this.sleepers = this.sleepers.filter((s) => s.deadline > this.offset);
    for (const sleeper of due) sleeper.resolve();
    this.queueCheck();
  }
}
