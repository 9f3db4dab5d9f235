// A fixed-window request counter in memory: the rate limiter of a single process (no Redis).
import type { Rate } from '../common/units.js';

export interface RateDecision {
  allowed: boolean;
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Time until the window resets. */
  retryAfterMs: number;
}

interface Bucket {
  count: number;
  resetAt: number;
}

/** Counts hits per bucket id in fixed windows; memory stays bounded by `maxBuckets`. */
export class FixedWindowCounter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxBuckets = 100_000,
  ) {}

  hit(id: string, rate: Rate): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.resetAt <= now) {
      if (!bucket && this.buckets.size >= this.maxBuckets) this.evict(now);
      bucket = { count: 0, resetAt: now + rate.windowMs };
      this.buckets.set(id, bucket);
    }
    bucket.count += 1;
    return { allowed: bucket.count <= rate.limit, count: bucket.count, retryAfterMs: bucket.resetAt - now };
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Drops finished windows; if nearly every window is live (a flood of distinct ids), starts over. */
  private evict(now: number): void {
    for (const [id, bucket] of this.buckets) if (bucket.resetAt <= now) this.buckets.delete(id);
    if (this.buckets.size >= this.maxBuckets * 0.9) this.buckets.clear();
  }
}
