// A step the database refuses (a value it cannot hold, a constraint; anything but a lost connection) must
// end its node, never look like a lost worker: a lapsed lease would re-run the node, re-send its requests
// and charge it again, forever (release-2.md section 1, "Poison values"). The StepWriter isolates the
// refused execution from the others of its batch and throws StepRefusedError; the runner then records,
// in separate writes, which rows were refused (as FAILED with STORE_FAILED) and fails the execution.
// Re-runs after lease lapses are capped here too (resumedTooOften: WORKER_LOST).
import { isDatabaseUnavailable } from '../../common/error.filter.js';
import { findUnstorable } from '../../common/storable-json.js';
import { EngineErrorCode, type ExecutionError } from '../engine/engine.errors.js';
import { NodeRunStatus, ExecutionStatus, type NodeRunRecord } from '../engine/engine.types.js';
import type { ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import type { RunWrite } from '../node-run-rows.js';

/** The database refused one execution's step for what it holds (the step alone was tried). */
export class StepRefusedError extends Error {
  constructor(readonly reason: unknown) {
    super(`the database refused the step: ${describeDatabaseError(reason)}`);
    this.name = 'StepRefusedError';
  }
}

// SQLSTATE classes that say "try again" rather than "this data cannot go in": transaction rollbacks
// (deadlock, serialization), connection problems, resources, operator intervention, system errors.
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '55', '57', '58']);

/** Whether a failed write was refused for its data (true) or may succeed when tried again (false). */
export function isStoreRefusal(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return false;
  const code = sqlState(error);
  return code !== null && !TRANSIENT_CLASSES.has(code.slice(0, 2));
}

function sqlState(error: unknown): string | null {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const { code, driverError, cause } = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = driverError ?? cause;
  }
  return null;
}

/** The driver's message with control characters removed (it is stored in the execution's error). */
function describeDatabaseError(error: unknown): string {
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex
  return `${message.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300)}${code ? ` (SQLSTATE ${code})` : ''}`;
}

export type WriteStep = (write: ExecutionWrite) => Promise<WrittenExecution | null>;

/** What the separate writes achieved: the execution FAILED with `error`, or 'lost' (lease gone, or the database away). */
export type RefusalOutcome = { written: WrittenExecution; error: ExecutionError; runs: RunWrite[] } | 'lost';

/**
 * After `refused` (a step the database would not take): writes each row of the step alone, so the rows it
 * takes are kept; the rows it refuses are written FAILED with STORE_FAILED (values dropped), and the
 * execution FAILED with STORE_FAILED naming the first such node. Failing that, the execution alone.
 */
export async function writeAfterRefusal(write: WriteStep, step: ExecutionWrite, refused: StepRefusedError): Promise<RefusalOutcome> {
  const quiet = { status: null, error: null, outputs: null, release: false, children: [] };
  const refusedRuns: RunWrite[] = [];
  for (const run of step.runs) {
    try {
      if (!(await write({ ...step, ...quiet, runs: [run] }))) return 'lost';
    } catch (error) {
      if (!(error instanceof StepRefusedError)) return 'lost';
      refusedRuns.push(run);
    }
  }
  const culprit = refusedRuns[0];
  const error: ExecutionError = {
    code: EngineErrorCode.STORE_FAILED,
    node_id: culprit?.node_id ?? null,
    message: culprit
      ? `Node "${culprit.node_id}" (${culprit.block}) could not be recorded, so the execution stopped: ${refused.message}. Its values were dropped; change the node so that it yields values the store can hold.`
      : `The execution's step could not be recorded, so the execution stopped: ${refused.message}.`,
  };
  const failedRuns = refusedRuns.map((run) => failedRun(run, error));
  for (const runs of [failedRuns, []]) {
    try {
      const written = await write({ ...step, runs, status: ExecutionStatus.FAILED, error, outputs: null, release: false, children: [] });
      return written ? { written, error, runs } : 'lost';
    } catch (failure) {
      if (!(failure instanceof StepRefusedError)) return 'lost';
    }
  }
  return 'lost';
}

/** A refused row as FAILED with STORE_FAILED: outputs dropped, inputs kept only when they can be stored. */
function failedRun(run: RunWrite, error: ExecutionError): RunWrite {
  const keepInputs = run.inputs_unchanged === true || findUnstorable(run.inputs, Number.POSITIVE_INFINITY) === null;
  return {
    ...run,
    status: NodeRunStatus.FAILED,
    error: { code: error.code, message: error.message },
    outputs: {},
    inputs: keepInputs ? run.inputs : {},
    waiting_for: null,
    resume_at: null,
    ended_at: new Date().toISOString(),
  };
}

/** `executor.max_resumes` by default (release-2.md section 8). */
export const DEFAULT_MAX_RESUMES = 3;

/** WORKER_LOST for the first row run again (RUNNING when claimed) more than `maxResumes` times, else null. */
export function resumedTooOften(stored: readonly NodeRunRecord[], maxResumes: number): ExecutionError | null {
  const run = stored.find((row) => row.status === NodeRunStatus.RUNNING && (row.resumes ?? 0) > maxResumes);
  if (!run) return null;
  return {
    code: EngineErrorCode.WORKER_LOST,
    node_id: run.node_id,
    message: `Node "${run.node_id}" (${run.block}) was cut short ${run.resumes} times (its worker stopped or lost its lease each time), more than executor.max_resumes (${maxResumes}), so the execution stopped instead of running it again. Look in the workers' logs for crashes or stalls while it ran.`,
  };
}
