// Claim at admission: an execution of an instant graph (every node runs before its row, early-attempts.ts, or is
// the trigger seeded with its event) admitted in a process with a worker is written RUNNING under that worker's
// lease by its INSERT, and the worker runs it from the row the INSERT answers: no hand-over, no claim UPDATE, one
// row version fewer. It is what the claim would have done, in the statement that already writes the row; a crash
// before its first step leaves a RUNNING row whose lease lapses, which the sweep dispatches again. The row is never
// QUEUED in the database; the execute API still answers the execution as admitted (QUEUED, not started).
import type { AdmittedExecution, ClaimFacts, LocalClaim } from '../admission/admission.types.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import { mayRunBeforeItsRow, type EarlyRule } from './early-attempts.js';
import type { ClaimedExecution } from './execution-store.repository.js';

/** Runs a claimed execution; settles once its runner ended (or did not start). */
export type RunClaimed = (claimed: ClaimedExecution) => Promise<unknown>;

export class AdmissionClaims {
  /** Per compiled version: whether it is an instant graph. */
  private readonly instant = new WeakMap<CompiledGraph, boolean>();
  private readonly eligible: EarlyRule;
  /** Claims reserved or running. */
  private held = 0;

  /**
   * @param limit how many may be held at once: instant runs end within a few turns of the event loop, so they are not
   *   kept waiting for one of `executor.concurrency`'s slots (under load no slot would ever be free for them first)
   *   but bounded like the executions handed over to this worker and waiting for one
   */
  constructor(
    eligible: EarlyRule | undefined,
    private readonly lease: { owner: string; leaseMs: number; timeoutMs: number },
    private readonly limit: number,
  ) {
    this.eligible = eligible ?? mayRunBeforeItsRow;
  }

  /** Whether runs of `graph` may be claimed at admission: no `concurrency` (its FIFO is the queue's), only instant nodes. */
  qualifies(graph: CompiledGraph): boolean {
    let known = this.instant.get(graph);
    if (known === undefined) {
      known = graph.definition.concurrency === undefined && [...graph.nodes.values()].every((node) => node.block.trigger === true || this.eligible(node.block));
      this.instant.set(graph, known);
    }
    return known;
  }

  /** A claim for a run of `graph` (null: it does not qualify, or `limit` are held): exactly one of its `start` and `cancel` takes effect. */
  claim(graph: CompiledGraph, run: RunClaimed): LocalClaim | null {
    if (this.held >= this.limit || !this.qualifies(graph)) return null;
    this.held++;
    let settled = false;
    const settle = () => !settled && (settled = true);
    return {
      lease: { lease_owner: this.lease.owner, lease_ms: this.lease.leaseMs, timeout_ms: graph.definition.timeout ?? this.lease.timeoutMs },
      start: (row, facts) => {
        if (settle()) void run(claimedAtAdmission(row, facts)).finally(() => this.held--);
      },
      cancel: () => {
        if (settle()) this.held--;
      },
    };
  }
}

/** The execution as claimMany would answer it: fresh, nothing charged yet, the INSERT's stored values. */
function claimedAtAdmission(row: AdmittedExecution, facts: ClaimFacts): ClaimedExecution {
  return {
    id: row.id,
    graph_id: row.graph_id,
    graph_version: row.graph_version,
    user_id: row.user_id,
    parent_id: row.parent_id,
    depth: row.depth,
    inputs: facts.inputs,
    trigger_node: row.trigger_node,
    trigger_event: facts.trigger_event,
    credentials: facts.credentials,
    file_trust: facts.file_trust,
    cost: 0,
    deadline_at: facts.deadline_at,
    fresh: true,
    vars: facts.vars,
    source: row.source,
    started_at: facts.started_at,
    retry_of: row.retry_of,
  };
}
