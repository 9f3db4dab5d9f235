// The port through which a durable execution keeps the waits that people and the outside world end
// (human.review, wait.event; release-2.md section 3). The worker (executions) opens them and reads how
// they ended; the reviews and events features above it implement it on their tables and wake the
// execution (a dispatch) when a review is decided or an event is consumed. The decision or the event
// stays in its row until the worker applies it: applying is the node's WAITING -> COMPLETED write (one
// transaction with its yields), so a crash at any point applies it exactly once.
import type { NodeError } from './engine/engine.errors.js';
import type { EventEnd, EventRequest, ReviewEnd, ReviewRequest } from './engine/wait-suspensions.js';

export const OUTSIDE_WAITS = Symbol('OUTSIDE_WAITS');

/** Where a wait belongs. */
export interface WaitOwner {
  execution_id: string;
  /** The node execution waiting (a re-run of the same node run after a crash finds the same wait). */
  node_execution_id: string;
  node_id: string;
  graph_id: string;
  graph_version: number;
  /** The execution's user. */
  user_id: string;
  /** The ai.agent tool call a review approves (one review per node execution and call); absent for human.review. */
  tool_call_id?: string;
}

export interface OutsideWaits {
  /** Opens (or finds, for the same node execution) the review; an error (REVIEW_LIMIT, reviewers) fails the node. */
  openReview(owner: WaitOwner, request: ReviewRequest): Promise<{ id: string; expires_at: string } | { error: NodeError }>;
  /** The reviews among `ids` that ended (decided, timed out, cancelled). */
  reviewEnds(ids: string[]): Promise<Array<{ id: string; end: ReviewEnd }>>;
  /** How the tool-call reviews of an ai.agent node execution ended, by tool call id (pending ones are left out). */
  toolReviewEnds(nodeExecutionId: string): Promise<Map<string, ReviewEnd>>;
  /** Times the review out unless it was decided first; answers how it ended (null: no such review). */
  expireReview(id: string): Promise<ReviewEnd | null>;
  /** Starts waiting: consumes a buffered event for it at once when one is there (then dispatches). */
  openEventWait(owner: WaitOwner, request: EventRequest): Promise<void>;
  /** The events consumed by these waiting node executions (a timeout reads as `event: null`). */
  eventEnds(nodeExecutionIds: string[]): Promise<Array<{ node_execution_id: string; end: EventEnd | null }>>;
  /** Times the wait out unless an event was consumed first; answers what it got (null: timed out). */
  expireEventWait(nodeExecutionId: string): Promise<EventEnd | null>;
  /** These executions ended: their pending reviews are cancelled and their event waits stop accepting (one statement). */
  executionsEnded(executionIds: string[]): Promise<void>;
}
