// Group commit for the webhook hot path: requests that arrive while an INSERT is in flight are written
// together by the next one (one statement, one commit), so under load the database sees a few large
// commits instead of one per request. Each request still gets its answer only after its row committed.
// Up to `maxInFlight` statements run at once (each on its own pooled connection): with one, every request
// waited for the commit in flight and then its own, and the process sat idle through both fsyncs.
// A batch that fails is retried row by row, so one bad row never fails the requests around it.

export type InsertRows<T> = (rows: readonly T[]) => Promise<string[]>;

interface Pending<T> {
  row: T;
  resolve(id: string): void;
  reject(error: unknown): void;
}

export class ExecutionBatcher<T> {
  private queue: Pending<T>[] = [];
  private inFlight = 0;
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly insert: InsertRows<T>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 2,
  ) {}

  /** Resolves with the row's id once its INSERT committed. */
  add(row: T): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (this.inFlight < this.maxInFlight) this.startFlush();
    });
  }

  /**
   * Resolves once every row added so far is written or failed: a shutdown awaits it before the database
   * closes, so a request whose client already left still gets its row or its error, never "not connected".
   */
  async drain(): Promise<void> {
    while (this.flushing.size > 0) await Promise.allSettled([...this.flushing]);
  }

  private startFlush(): void {
    const flushing = this.flush();
    this.flushing.add(flushing);
    void flushing.finally(() => this.flushing.delete(flushing));
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
    try {
      const ids = await this.insert(batch.map((p) => p.row));
      batch.forEach((pending, index) => pending.resolve(ids[index]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) {
        try {
          const [id] = await this.insert([pending.row]);
          pending.resolve(id!);
        } catch (rowError) {
          pending.reject(rowError);
        }
      }
    }
  }
}
