// `last_used_at` without a database write per request: each process notes uses in memory and writes at
// most one value per key per interval, in one batched statement.

export const USAGE_RECORD_INTERVAL_MS = 60_000;

export class ApiKeyUsage {
  /** When each key's use was last queued for writing. */
  private readonly lastQueued = new Map<string, number>();
  private pending = new Map<string, Date>();

  constructor(private readonly intervalMs = USAGE_RECORD_INTERVAL_MS) {}

  /** Notes a use; answers whether it was queued (at most once per interval per key). */
  touch(keyId: string, now = Date.now()): boolean {
    const last = this.lastQueued.get(keyId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastQueued.set(keyId, now);
    this.pending.set(keyId, new Date(now));
    return true;
  }

  /** The uses waiting to be written, handed over once. */
  drain(): Map<string, Date> {
    const out = this.pending;
    this.pending = new Map();
    return out;
  }

  /** Puts uses back after a failed write (newer ones win). */
  restore(uses: Map<string, Date>): void {
    for (const [id, at] of uses) {
      const current = this.pending.get(id);
      if (!current || current < at) this.pending.set(id, at);
    }
  }

  /** The newest use not yet written, to show in lists before the flush. */
  pendingFor(keyId: string): Date | undefined {
    return this.pending.get(keyId);
  }

  forget(keyId: string): void {
    this.lastQueued.delete(keyId);
    this.pending.delete(keyId);
  }
}
