// New executions go straight to this process's own worker while it has a free slot: no queue round trip
// (add, fetch, complete) between the API and a worker in the same process. The execution is already
// QUEUED in Postgres, so a handoff lost to a crash is found again by the sweep, like a lost dispatch.
// An instant graph's execution can go further: the worker claims it at admission (LocalClaim), so its row is
// written RUNNING under the worker's lease and no claim UPDATE follows; a crash lets that lease lapse, and the sweep
// dispatches it again.
import { Injectable } from '@nestjs/common';
import type { LocalClaim } from '../admission/admission.types.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';

/** Answers whether the local worker took the execution (false: dispatch it through the queue). */
export type LocalTaker = (executionId: string) => boolean;
/** A claim at admission by the local worker for a run of `graph`, or null. */
export type LocalClaimer = (graph: CompiledGraph) => LocalClaim | null;

@Injectable()
export class LocalHandoff {
  private taker: LocalTaker | null = null;
  private claimer: LocalClaimer | null = null;

  /** The worker of this process registers itself; answers the unregister function. */
  register(taker: LocalTaker, claimer: LocalClaimer | null = null): () => void {
    this.taker = taker;
    this.claimer = claimer;
    return () => {
      if (this.taker !== taker) return;
      this.taker = null;
      this.claimer = null;
    };
  }

  offer(executionId: string): boolean {
    return this.taker !== null && this.taker(executionId);
  }

  claim(graph: CompiledGraph): LocalClaim | null {
    return this.claimer?.(graph) ?? null;
  }
}
