// The durable runner's timers (retry backoffs, delays, the execution deadline) on the engine's clock port
// (engine/timers.ts), keyed so that one key holds at most one timer: arming again replaces it.
import type { Timers } from '../engine/timers.js';

/**
 * The reason a cleared timer's controller is aborted with: abort() without one builds a DOMException (and
 * captures its stack) per timer, and every execution clears at least its deadline's; nothing reads it.
 */
const CLEARED: unknown = Object.freeze({ timer: 'cleared' });

export class RunTimers {
  private readonly armed = new Map<string, AbortController>();

  constructor(private readonly timers: Timers) {}

  /** Calls `fire` after `delayMs` unless `key` is cleared or armed again first. */
  arm(key: string, delayMs: number, fire: () => void): void {
    this.clear(key);
    const controller = new AbortController();
    this.armed.set(key, controller);
    this.timers.sleep(delayMs, controller.signal).then(
      () => {
        if (this.armed.get(key) !== controller) return;
        this.armed.delete(key);
        fire();
      },
      () => undefined,
    );
  }

  clear(key: string): void {
    const controller = this.armed.get(key);
    if (!controller) return;
    this.armed.delete(key);
    controller.abort(CLEARED);
  }

  clearAll(): void {
    for (const controller of this.armed.values()) controller.abort(CLEARED);
    this.armed.clear();
  }

  get size(): number {
    return this.armed.size;
  }
}
