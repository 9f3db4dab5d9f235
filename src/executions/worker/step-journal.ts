// The step journal of one durable execution (see engine/scheduler.ts, "How a durable shell persists and
// resumes"): events are applied to the core and their steps written BEFORE anything acts on them. Events
// that arrive while a write is in flight are applied together and written in the next one (a group commit
// per execution; the StepWriter groups executions). Instant attempts the step starts run before it is
// written, and their outcomes join it when they end within a turn of the event loop (one row, already
// COMPLETED, instead of two writes). A step the database refuses for its data ends the
// execution with STORE_FAILED (store-failure.ts); any other failed write loses it (its lease lapses).
import type { Logger } from 'pino';
import { NodeRunStatus, type NodeRun, type Step } from '../engine/engine.types.js';
import type { ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import { StepRefusedError, writeAfterRefusal, type RefusalOutcome } from './store-failure.js';

/** What the journal asks of its runner. */
export interface JournalHost {
  /** Applies one queued event to the core: the steps it made (a refused event may make several). */
  apply(event: () => Step): Step[];
  /** Starts attempts of instant blocks among the step's started runs before it is written; answers whether it did (early-attempts.ts). */
  launchEarly(merged: Step): boolean;
  /** The write of a merged step (rows, the execution's columns, children to insert). */
  compose(merged: Step): ExecutionWrite;
  write(write: ExecutionWrite): Promise<WrittenExecution | null>;
  /** The step is written: act on it. Answers false when the runner stopped (nothing more to flush). */
  written(merged: Step, write: ExecutionWrite, written: WrittenExecution): boolean;
  /** The database refused a step: the execution failed (or was lost) as the separate writes tell. */
  refused(outcome: RefusalOutcome): void;
  /** A write failed for another reason, or the lease was gone. */
  lost(): void;
  /** Nothing queued any more after a write. */
  quiet(): Promise<void>;
}

/** Rounds of instant attempts one step may take in (a chain of instant nodes ends within one write). */
const EARLY_ROUNDS = 8;

interface Batch {
  events: Array<() => Step>;
  done: Promise<void>;
  resolve: () => void;
}

export class StepJournal {
  private batch: Batch | null = null;
  private writing = false;
  private closed = false;

  constructor(
    private readonly host: JournalHost,
    private readonly logger: Logger,
  ) {}

  /** A batch is queued or a write is in flight. */
  get busy(): boolean {
    return this.batch !== null || this.writing;
  }

  /** Queues an event; the promise settles once the step it made is written. */
  post(event: () => Step): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.batch) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.batch = { events: [], done, resolve };
      // After this turn of the event loop: attempts that end together (quick blocks) share one step.
      if (!this.writing) setImmediate(() => void this.flushOrLose());
    }
    this.batch.events.push(event);
    return this.batch.done;
  }

  /** Writes `write` outside the event flow (giving the lease back), holding off batches meanwhile. */
  async writeAlone(write: ExecutionWrite): Promise<WrittenExecution | null> {
    this.writing = true;
    try {
      return await this.host.write(write);
    } finally {
      this.writing = false;
    }
  }

  /** Stops for good: pending posts settle, nothing more is written. */
  close(): void {
    this.closed = true;
    this.batch?.resolve();
    this.batch = null;
  }

  /** A step that cannot be finished (the database went away mid-way) loses the execution; its lease lapses and it resumes. */
  private async flushOrLose(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger.error({ err: error }, 'an execution step failed; the execution resumes once its lease lapses');
      this.writing = false;
      this.host.lost();
    }
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch || this.writing || this.closed) return;
    this.batch = null;
    this.writing = true;
    const steps: Step[] = [];
    for (const event of batch.events) steps.push(...this.host.apply(event));
    let merged = mergeSteps(steps);
    const joined: Batch[] = [];
    for (let round = 0; round < EARLY_ROUNDS && this.host.launchEarly(merged); round++) {
      // Their outcomes are posted within microtasks when they end at once: a macrotask later they wait in `this.batch`.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const more = this.batch as Batch | null;
      if (!more || this.closed) break;
      this.batch = null;
      joined.push(more);
      for (const event of more.events) steps.push(...this.host.apply(event));
      merged = mergeSteps(steps);
    }
    const settle = () => {
      batch.resolve();
      for (const more of joined) more.resolve();
    };
    if (this.closed) {
      this.writing = false;
      return settle();
    }
    const write = this.host.compose(merged);
    let written: WrittenExecution | null;
    try {
      written = await this.host.write(write);
    } catch (error) {
      if (error instanceof StepRefusedError) {
        this.logger.error({ reason: error.message }, 'the database refused an execution step; the execution fails with STORE_FAILED');
        const outcome = await writeAfterRefusal((w) => this.host.write(w), write, error);
        this.writing = false;
        settle();
        return this.host.refused(outcome);
      }
      this.logger.error({ err: error }, 'could not write an execution step; the execution resumes once its lease lapses');
      written = null;
    }
    this.writing = false;
    settle();
    if (!written) return this.host.lost();
    if (!this.host.written(merged, write, written)) return;
    if (this.batch) return this.flush();
    await this.host.quiet();
  }
}

export function emptyStep(): Step {
  return { changed: [], started: [], retries: [], abort: [], execution: null };
}

/** Steps of one batch as one: each changed run once, the last execution change, starts and retries still due. */
export function mergeSteps(steps: Step[]): Step {
  if (steps.length === 1) return steps[0]!;
  const merged = emptyStep();
  const seen = new Set<NodeRun>();
  for (const step of steps) {
    for (const run of step.changed) {
      if (seen.has(run)) continue;
      seen.add(run);
      merged.changed.push(run);
    }
    merged.started.push(...step.started);
    merged.retries.push(...step.retries);
    merged.abort.push(...step.abort);
    if (step.execution) merged.execution = step.execution;
  }
  // A run started then finished within one batch is not started again.
  merged.started = merged.started.filter((run) => run.status === NodeRunStatus.RUNNING);
  merged.retries = merged.retries.filter(({ run }) => run.status === NodeRunStatus.WAITING && run.waiting_for?.kind === 'retry');
  return merged;
}
