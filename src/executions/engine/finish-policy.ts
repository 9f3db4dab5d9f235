// When and how an execution ends, written once for the scheduler (scheduler.ts, run-delivery.ts): the
// first final status wins; queued runs are CANCELLED, RUNNING and WAITING runs CANCELLED and listed for
// abort; the step carries the status, error and results. An execution completes when nothing is queued,
// running or waiting and no gather run can fire.
import type { ExecutionError } from './engine.errors.js';
import { ExecutionStatus, isFinalRunStatus, NodeRunStatus } from './engine.types.js';
import type { ExecutionState } from './execution-state.js';

/** Ends the execution with `status` (COMPLETED, FAILED or CANCELLED) unless it has ended already. */
export function finishExecution(state: ExecutionState, status: ExecutionStatus, error: ExecutionError | null): void {
  if (isFinalRunStatus(state.status)) return;
  state.status = status;
  state.error = error;
  for (const run of state.drainQueued()) {
    run.status = NodeRunStatus.CANCELLED;
    state.step.touch(run);
  }
  for (const run of state.active) {
    run.status = NodeRunStatus.CANCELLED;
    run.waiting_for = null;
    state.step.abortRun(run);
  }
  state.active.clear();
  state.running = 0;
  state.step.setExecution({ status, error, outputs: state.outputs() });
}

/**
 * When nothing is queued, running or waiting: fires one gather run (`flushOneGather`, earliest rank first)
 * and looks again, else the execution COMPLETES.
 */
export function settle(state: ExecutionState, flushOneGather: () => boolean): void {
  while (state.live && state.queued === 0 && state.active.size === 0) {
    if (!flushOneGather()) finishExecution(state, ExecutionStatus.COMPLETED, null);
  }
}
