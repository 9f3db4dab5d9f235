// New executions go straight to this process's own worker while it has a free slot: no queue round trip
// (add, fetch, complete) between the API and a worker in the same process. The execution is already
// QUEUED in Postgres, so a handoff lost to a crash is found again by the sweep, like a lost dispatch.
import { Injectable } from '@nestjs/common';

/** Answers whether the local worker took the execution (false: dispatch it through the queue). */
export type LocalTaker = (executionId: string) => boolean;

@Injectable()
export class LocalHandoff {
  private taker: LocalTaker | null = null;

  /** The worker of this process registers itself; answers the unregister function. */
  register(taker: LocalTaker): () => void {
    this.taker = taker;
    return () => {
      if (this.taker === taker) this.taker = null;
    };
  }

  offer(executionId: string): boolean {
    return this.taker !== null && this.taker(executionId);
  }
}
