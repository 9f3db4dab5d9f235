// Group commit across executions: steps posted while a write is in flight go out together in the next
// one (one statement for many executions), so throughput grows with load instead of round trips.
import type { ExecutionStoreRepository, ExecutionWrite, WrittenExecution } from './execution-store.repository.js';

const MAX_BATCH = 256;

interface Pending {
  write: ExecutionWrite;
  resolve(row: WrittenExecution | null): void;
  reject(error: unknown): void;
}

export class StepWriter {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: ExecutionStoreRepository,
    private readonly owner: string,
  ) {}

  /** Writes one execution's step; answers its row, or null when the lease was lost or the execution stopped. */
  write(write: ExecutionWrite): Promise<WrittenExecution | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const rows = await this.store.write(this.owner, batch.map((p) => p.write));
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const pending of batch) pending.resolve(byId.get(pending.write.id) ?? null);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.flushing = false;
  }
}
