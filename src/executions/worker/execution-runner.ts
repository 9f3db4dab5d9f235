// Drives one claimed execution on the scheduling core (see engine/scheduler.ts, "How a durable shell persists and
// resumes"), composed of: the step journal (every event's step written BEFORE its runs start, its events are published
// or its waits are armed; group commit; instant attempts start early, early-attempts.ts), node attempts (the engine's
// attempt driver with this worker's ports), run timers on the engine's clock port (retries, delays, the deadline) and the
// waits that end from outside (run-waits.ts); run-start.ts opens the core. This file owns the lifecycle: start, park, drain, lose, finish.
import type { Logger } from 'pino';
import { ToolApprovals } from './tool-approvals.js';
import { executionBlockRunner } from './tool-trust.js';
import { EngineErrorCode, executionTimeout } from '../engine/engine.errors.js';
import { NodeRunStatus, ExecutionStatus, isFinalRunStatus, type NodeRunRecord, type Step } from '../engine/engine.types.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import { ExecutionScheduler } from '../engine/scheduler.js';
import type { Timers } from '../engine/timers.js';
import { realTimers } from '../real-timers.js';
import type { ClaimedExecution, ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import { NodeAttempts, type AttemptHost } from './node-attempts.js';
import { newExtras, toRunRecord } from '../node-run-rows.js';
import { attemptSetting, openScheduler, releaseWrite, seedOf } from './run-start.js';
import { RunTimers } from './run-timers.js';
import { RunWaits } from './run-waits.js';
import { emptyStep, StepJournal } from './step-journal.js';
import type { RefusalOutcome } from './store-failure.js';
import type { RunnerDeps, RunnerEnd, RunnerLimits } from './execution-runner.types.js';
import { lazyChild } from './lazy-logger.js';
import { EarlyAttempts, mayRunBeforeItsRow } from './early-attempts.js';

export type * from './execution-runner.types.js';

/** Waits longer than this give the execution back (lease released, a delayed dispatch wakes it). */
export const PARK_AFTER_MS = 2_000;
const DEADLINE = 'execution-deadline';
/** Waits with a due time the runner arms (a delay's end; a review's or an event wait's timeout). */
const TIMED_WAITS = new Set(['delay', 'review', 'event', 'tool']);

export class ExecutionRunner {
  private readonly scheduler: ExecutionScheduler;
  private readonly extras = newExtras();
  private readonly logger: Logger;
  private readonly clock: Timers;
  private readonly timers: RunTimers;
  private readonly journal: StepJournal;
  private readonly attempts: NodeAttempts;
  private readonly waits: RunWaits;
  private readonly early: EarlyAttempts;
  private cost: number;
  private ended = false;
  private draining = false;
  private resolveEnd!: (end: RunnerEnd) => void;
  readonly end: Promise<RunnerEnd>;
  private firstStep: Step;

  constructor(
    readonly execution: ClaimedExecution,
    private readonly graph: CompiledGraph,
    stored: NodeRunRecord[],
    limits: RunnerLimits,
    private readonly deps: RunnerDeps,
  ) {
    this.end = new Promise((resolve) => (this.resolveEnd = resolve));
    this.logger = lazyChild(deps.logger, { execution_id: execution.id });
    this.clock = deps.timers ?? realTimers;
    this.timers = new RunTimers(this.clock);
    this.cost = execution.cost;
    this.journal = new StepJournal(
      {
        apply: (event) => this.apply(event),
        launchEarly: (merged) => !this.draining && !this.ended && this.early.launch(merged),
        compose: (merged) => this.compose(merged),
        write: (write) => deps.write(write),
        written: (merged, write, written) => this.written(merged, write, written),
        refused: (outcome) => this.refused(outcome),
        lost: () => this.stop('lost'),
        quiet: () => this.whenQuiet(),
      },
      this.logger,
    );
    // The host's getters read the runner's live fields (the scheduler is replaced on restore).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const runner = this;
    const host: AttemptHost = {
      get scheduler() {
        return runner.scheduler;
      },
      get ended() {
        return runner.ended;
      },
      post: (event) => this.journal.post(event),
      charged: (amount) => void (this.cost += amount),
      armDelay: (run) => this.waits.arm(run),
      poke: () => this.poke(),
    };
    const approvals = deps.toolApprovals ?? new ToolApprovals(deps.outside ?? null);
    this.attempts = new NodeAttempts(
      host,
      execution,
      graph,
      this.extras,
      attemptSetting(execution, limits),
      {
        ...deps,
        runBlock: executionBlockRunner(deps, execution, graph, approvals),
        timers: this.clock,
        outside: deps.outside ?? null,
        approvals,
        toolChildren: deps.toolChildren ?? null,
      },
      this.logger,
    );
    const waitsHost = {
      get scheduler() {
        return runner.scheduler;
      },
      get ended() {
        return runner.ended;
      },
      post: (event: () => Step) => this.journal.post(event),
      endAttempt: (runId: string, error: Parameters<NodeAttempts['end']>[1]) => this.attempts.end(runId, error),
    };
    this.early = new EarlyAttempts(graph, deps.runsEarly ?? mayRunBeforeItsRow, this.attempts, this.clock);
    this.waits = new RunWaits(waitsHost, deps, this.timers, this.clock, this.extras.resumeAt, limits, this.logger);
    const opened = openScheduler(execution, graph, stored, limits, this.extras, this.clock.now());
    this.scheduler = opened.scheduler;
    this.firstStep = opened.firstStep;
  }

  get id(): string {
    return this.execution.id;
  }

  /** Seeds (fresh) or resumes the execution; `end` settles when it finishes, parks or is lost. */
  start(): Promise<RunnerEnd> {
    const execution = this.execution;
    if (execution.fresh) {
      const seed = seedOf(execution);
      void this.journal.post(() => this.scheduler.seed(seed));
    } else {
      const first = this.firstStep;
      void this.journal.post(() => first);
      for (const run of this.scheduler.nodeRuns) if (run.status === NodeRunStatus.WAITING && TIMED_WAITS.has(run.waiting_for?.kind ?? '')) this.waits.arm(run);
    }
    const deadline = new Date(execution.deadline_at).getTime() - this.clock.now();
    const timeoutFail = () => {
      // Every unfinished node waits: that time does not count, so park (the claim moves the deadline) instead of failing.
      const counts = this.scheduler.counts;
      if (!this.draining && counts.running === 0 && counts.queued === 0 && this.attempts.running === 0 && counts.waiting > 0 && !this.journal.busy)
        return void this.park(this.nextDue());
      void this.journal.post(() =>
        this.scheduler.fail(executionTimeout(this.graph.definition.timeout ?? Math.max(0, new Date(execution.deadline_at).getTime() - this.clock.now()))),
      );
    };
    if (deadline <= 0) timeoutFail();
    else this.timers.arm(DEADLINE, deadline, timeoutFail);
    return this.end;
  }

  /** The lease was lost or the execution stopped elsewhere (CANCELLED): stop everything here, write nothing. */
  lost(): void {
    this.stop('lost');
  }

  /** Shutdown: start nothing new; ends ('drained') once running attempts have been written. */
  drain(): void {
    this.draining = true;
    void this.journal.post(() => emptyStep());
  }

  /** Something changed outside (a child finished, a review was decided, an event came): look at those waits again. */
  poke(): void {
    void this.waits.deliverChildren().catch((error: unknown) => this.logger.warn({ err: error }, 'could not look at child executions; the sweep looks again'));
    void this.waits
      .deliverOutside()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not look at reviews and events; the next wake looks again'));
  }

  // --- the journal's host -------------------------------------------------------------------------

  private apply(event: () => Step): Step[] {
    const steps: Step[] = [];
    try {
      steps.push(event());
    } catch (error) {
      // A request the core refuses (a trigger node the version lacks): the execution fails, nothing runs.
      const message = error instanceof Error ? error.message : String(error);
      steps.push(this.scheduler.executionStatus === ExecutionStatus.QUEUED ? this.scheduler.seed({ inputs: {} }) : emptyStep());
      steps.push(this.scheduler.fail({ code: EngineErrorCode.NODE_FAILED, message }));
      return steps;
    }
    if (!this.draining && !isFinalRunStatus(this.scheduler.executionStatus)) steps.push(this.scheduler.takeReady());
    return steps;
  }

  private compose(merged: Step): ExecutionWrite {
    const now = this.clock.now();
    for (const run of merged.started) if (!this.early.has(run.id)) this.attempts.begin(run, now);
    for (const { run, delay_ms } of merged.retries) this.extras.resumeAt.set(run.id, now + delay_ms);
    const change = merged.execution;
    const final = change !== null && isFinalRunStatus(change.status);
    return {
      id: this.id,
      runs: merged.changed.map((run) => toRunRecord(this.id, run, this.extras, now)),
      status: change?.status ?? null,
      error: change?.error ?? null,
      outputs: final ? change.outputs : null,
      cost: this.cost,
      node_execution_count: this.scheduler.counts.node_executions,
      release: false,
      children: this.attempts.takeChildren(),
    };
  }

  /** The step is in the database: announce it, dispatch its children, abort, finish, or arm and launch. */
  private written(merged: Step, write: ExecutionWrite, written: WrittenExecution): boolean {
    const change = merged.execution;
    const final = change !== null && isFinalRunStatus(change.status);
    this.deps.announce(
      this.execution,
      write.runs,
      change ? { status: change.status, error: change.error, outputs: final ? change.outputs : null, cost: this.cost } : null,
    );
    for (const child of write.children) this.deps.dispatch(child.id);
    for (const id of merged.abort) this.abortRun(id);
    if (final) {
      this.deps.finished(written, this.execution, change.error, change.outputs);
      this.stop('finished');
      return false;
    }
    for (const { run, delay_ms } of merged.retries) this.timers.arm(run.id, delay_ms, () => void this.journal.post(() => this.scheduler.retryDue(run.id)));
    for (const run of merged.started) if (!this.early.has(run.id)) this.attempts.launch(run);
    this.early.clear();
    return true;
  }

  private refused(outcome: RefusalOutcome): void {
    if (outcome === 'lost') return this.stop('lost');
    this.deps.announce(this.execution, outcome.runs, { status: ExecutionStatus.FAILED, error: outcome.error, outputs: null, cost: this.cost });
    this.deps.finished(outcome.written, this.execution, outcome.error, null);
    this.stop('finished');
  }

  /** Nothing queued or running: deliver finished children, else park (long waits) or keep timers (short). */
  private async whenQuiet(): Promise<void> {
    const counts = this.scheduler.counts;
    if (this.ended || counts.running > 0 || this.attempts.running > 0) return;
    if (this.draining) return this.stop('drained');
    if (counts.queued > 0 || counts.waiting === 0) return;
    if (await this.waits.deliverChildren().catch((error: unknown) => void this.logger.warn({ err: error }, 'could not read child executions'))) return;
    if (await this.waits.deliverOutside().catch((error: unknown) => void this.logger.warn({ err: error }, 'could not read reviews and events'))) return;
    if (this.journal.busy || this.ended) return;
    const next = this.nextDue();
    if (next !== null && next - this.clock.now() <= PARK_AFTER_MS && this.waits.children.waits(this.scheduler.nodeRuns).length === 0) return;
    await this.park(next);
  }

  /** When the next WAITING run is due (a delay's end, a retry, a review's or event's timeout), or null. */
  private nextDue(): number | null {
    const due = [...this.extras.resumeAt.entries()].filter(([id]) => this.isWaiting(id)).map(([, at]) => at);
    return due.length > 0 ? Math.min(...due) : null;
  }

  private async park(next: number | null): Promise<void> {
    let written: WrittenExecution | null = null;
    try {
      written = await this.journal.writeAlone(releaseWrite(this.id, this.cost, this.scheduler.counts.node_executions));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not give the execution back; it resumes once its lease lapses');
    }
    this.stop(written ? 'parked' : 'lost');
    if (!written) return;
    // Wake at the next due wait (a delay's end, a review's or event's timeout). Parked time does not count toward
    // the execution timeout (the claim moves the deadline by it); a decision, an event or a child's end wakes it sooner.
    if (next !== null) this.deps.dispatch(this.id, Math.max(0, next - this.clock.now()));
    // A child that finished while we parked could not claim us to deliver: look once more.
    if (await this.waits.children.anyFinished(this.waits.children.waits(this.scheduler.nodeRuns))) this.deps.dispatch(this.id);
  }

  private stop(end: RunnerEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.timers.clearAll();
    this.attempts.abortAll('The execution stopped here, so this node was stopped too.');
    this.journal.close();
    this.resolveEnd(end);
  }

  private abortRun(runId: string): void {
    this.timers.clear(runId);
    this.attempts.abort(runId, 'The execution stopped, so this node was stopped too.');
    const run = this.scheduler.nodeRuns.find((r) => r.id === runId);
    const child = run?.waiting_for?.kind === 'child_execution' ? run.waiting_for.execution_id : undefined;
    if (child) void this.deps.cancelExecutions([child]).catch((error: unknown) => this.logger.warn({ err: error, child }, 'could not stop a child execution'));
  }

  private isWaiting(runId: string): boolean {
    return this.scheduler.nodeRuns.some((r) => r.id === runId && r.status === NodeRunStatus.WAITING);
  }
}
