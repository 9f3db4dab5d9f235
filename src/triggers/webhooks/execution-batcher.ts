// Group commit for the webhook hot path: requests that arrive while an INSERT is in flight are written
// together by the next one (one statement, one commit), so under load the database sees a few large
// commits instead of one per request. Each request still gets its answer only after its row committed.
// Up to `maxInFlight` statements run at once (each on its own pooled connection): with one, every request
// waited for the commit in flight and then its own, and the process sat idle through both fsyncs.
// A batch that fails is retried row by row, so one bad row never fails the requests around it.
// Once a batch's callers are answered, `afterCommit` gets its committed rows (the dispatch of the whole
// group in one queue round trip); it runs beside the next INSERTs, and drain() waits for it too.

export type InsertRows<T> = (rows: readonly T[]) => Promise<string[]>;
/** Called with the rows of a batch once they are committed and their callers answered; must not throw. */
export type AfterCommit<T> = (rows: readonly T[]) => Promise<void>;

interface Pending<T> {
  row: T;
  resolve(id: string): void;
  reject(error: unknown): void;
}

export class ExecutionBatcher<T> {
  private queue: Pending<T>[] = [];
  private inFlight = 0;
  /** Flushes running, and afterCommit calls not yet settled. */
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly insert: InsertRows<T>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 2,
    private readonly afterCommit: AfterCommit<T> | null = null,
  ) {}

  /** Resolves with the row's id once its INSERT committed. */
  add(row: T): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (this.inFlight < this.maxInFlight) this.startFlush();
    });
  }

  /**
   * Resolves once every row added so far is written or failed, and handed to afterCommit: a shutdown awaits
   * it before the database closes, so a request whose client already left still gets its row or its error,
   * never "not connected", and no committed group is left undispatched.
   */
  async drain(): Promise<void> {
    while (this.flushing.size > 0) await Promise.allSettled([...this.flushing]);
  }

  private startFlush(): void {
    this.track(this.flush());
  }

  private track(work: Promise<void>): void {
    const settled = work.catch(() => undefined);
    this.flushing.add(settled);
    void settled.finally(() => this.flushing.delete(settled));
  }

  private async flush(): Promise<void> {
    this.inFlight++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.write(batch);
      }
    } finally {
      this.inFlight--;
    }
  }

  private async write(batch: Pending<T>[]): Promise<void> {
    let committed: T[] = [];
    try {
      const ids = await this.insert(batch.map((p) => p.row));
      batch.forEach((pending, index) => pending.resolve(ids[index]!));
      committed = batch.map((p) => p.row);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) {
        try {
          const [id] = await this.insert([pending.row]);
          pending.resolve(id!);
          committed.push(pending.row);
        } catch (rowError) {
          pending.reject(rowError);
        }
      }
    }
    if (this.afterCommit && committed.length > 0) this.track(this.afterCommit(committed));
  }
}
