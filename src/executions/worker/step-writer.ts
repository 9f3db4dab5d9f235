// Group commit across executions: steps posted while a write is in flight go out together in the next
// one (one statement for many executions), so throughput grows with load instead of round trips. When the
// database refuses a batch for its data, each step is tried alone: only the execution whose step holds what
// the database refuses gets StepRefusedError (store-failure.ts); the others are written as usual.
import type { ExecutionStoreRepository, ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import { isStoreRefusal, StepRefusedError } from './store-failure.js';

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
        const rows = await this.store.write(
          this.owner,
          batch.map((p) => p.write),
        );
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const pending of batch) pending.resolve(byId.get(pending.write.id) ?? null);
      } catch (error) {
        if (!isStoreRefusal(error)) for (const pending of batch) pending.reject(error);
        else if (batch.length === 1) batch[0]!.reject(new StepRefusedError(error));
        else for (const pending of batch) await this.writeAlone(pending);
      }
    }
    this.flushing = false;
  }

  private async writeAlone(pending: Pending): Promise<void> {
    try {
      const [row] = await this.store.write(this.owner, [pending.write]);
      pending.resolve(row ?? null);
    } catch (error) {
      pending.reject(isStoreRefusal(error) ? new StepRefusedError(error) : error);
    }
  }
}
