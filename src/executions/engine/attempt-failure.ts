// What a failed attempt does to its run (release-2.md section 2, "Node retry"): a platform failure fails the
// execution; a retriable error with attempts left waits for its backoff; anything else fails the run for good
// (its error pin, else the execution). Pure, over the scheduler's state: scheduler.ts calls it for both a
// failed attempt and a streaming block that threw.
import { isPlatformFailure, isRetriable, type NodeError } from './engine.errors.js';
import { ExecutionStatus, NodeRunStatus, type NodeRun } from './engine.types.js';
import type { ExecutionState } from './execution-state.js';
import { finishExecution } from './finish-policy.js';
import { retryDelay, shouldRetry } from './retry.js';
import type { RunDelivery } from './run-delivery.js';

export function handleFailedAttempt(state: ExecutionState, delivery: RunDelivery, run: NodeRun, error: NodeError): void {
  const node = state.node(run);
  state.release(run);
  state.step.touch(run);
  if (isPlatformFailure(error.code)) {
    run.status = NodeRunStatus.FAILED;
    run.error = error;
    finishExecution(state, ExecutionStatus.FAILED, { ...error, node_id: node.id });
    return;
  }
  const streamed = node.streaming && run.delivered_seq > 0;
  if (isRetriable(error.code) && !streamed && shouldRetry(node.retry, run.attempt, error)) {
    const delay = retryDelay(node.retry, run.attempt, error);
    run.status = NodeRunStatus.WAITING;
    run.waiting_for = { kind: 'retry', attempt: run.attempt + 1, delay_ms: delay };
    state.active.add(run);
    state.step.retry(run, delay);
    return;
  }
  delivery.failRun(run, error);
}
