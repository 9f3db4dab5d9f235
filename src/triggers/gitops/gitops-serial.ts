// One run at a time per key (a pull request), in this process. A delivery that arrives while a run for its
// key already waits to start joins that run instead of queueing another: the waiting run reads the newest
// state from GitHub when it starts, so it answers for both.
export class KeyedSerial {
  private readonly slots = new Map<string, { tail: Promise<unknown>; waiting: Promise<unknown> | null }>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key);
    if (slot?.waiting) return slot.waiting as Promise<T>;
    const previous = slot?.tail ?? Promise.resolve();
    const next: Promise<T> = previous
      .catch(() => undefined)
      .then(() => {
        const current = this.slots.get(key);
        if (current?.waiting === next) current.waiting = null;
        return work();
      });
    this.slots.set(key, { tail: next, waiting: next });
    next
      .finally(() => {
        if (this.slots.get(key)?.tail === next) this.slots.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  /** Keys with a run in flight or waiting (for tests). */
  get size(): number {
    return this.slots.size;
  }
}

/** At most `size` runs at once in this process; the others wait their turn, first come first served. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
