// Group commit across executions: steps posted while a write is in flight go out together in the next
// one (one statement for many executions), so throughput grows with load instead of round trips. When the
// database refuses a batch for its data, each step is tried alone: only the execution whose step holds what
// the database refuses gets StepRefusedError (store-failure.ts); the others are written as usual. Steps that
// start child executions are written in one transaction with those children (admitted by executions/admission),
// so a child exists exactly when its parent's step does.
import type { EntityManager } from 'typeorm';
import type { NewChildExecution } from '../admission/admission.types.js';
import type { ExecutionStoreRepository, ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import { isStoreRefusal, StepRefusedError } from './store-failure.js';

const MAX_BATCH = 256;

export type StepStore = Pick<ExecutionStoreRepository, 'write' | 'transaction'>;

/** Admission of child executions, in the transaction of their parents' steps. */
export type AdmitChildren = (children: NewChildExecution[], manager: EntityManager) => Promise<void>;

interface Pending {
  write: ExecutionWrite;
  resolve(row: WrittenExecution | null): void;
  reject(error: unknown): void;
}

export class StepWriter {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: StepStore,
    private readonly owner: string,
    private readonly admitChildren: AdmitChildren,
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
        const rows = await this.writeSteps(batch.map((p) => p.write));
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
      const [row] = await this.writeSteps([pending.write]);
      pending.resolve(row ?? null);
    } catch (error) {
      pending.reject(isStoreRefusal(error) ? new StepRefusedError(error) : error);
    }
  }

  /** One statement; with the children of the executions still held in the same transaction when there are any. */
  private writeSteps(writes: ExecutionWrite[]): Promise<WrittenExecution[]> {
    if (!writes.some((write) => write.children.length > 0)) return this.store.write(this.owner, writes);
    return this.store.transaction(async (manager) => {
      const rows = await this.store.write(this.owner, writes, manager);
      const held = new Set(rows.map((row) => row.id));
      await this.admitChildren(
        writes.filter((write) => held.has(write.id)).flatMap((write) => write.children),
        manager,
      );
      return rows;
    });
  }
}
