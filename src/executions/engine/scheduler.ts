/**
 * The scheduling core of the execution engine (runtime.md "Executions"). Given a compiled graph and the
 * execution's state, it decides which node runs become ready with which inputs. Plain, synchronous and
 * deterministic: no I/O, no clock, no randomness; the same events in the same order give the same steps.
 *
 * Events in (each returns a Step, see engine.types.ts):
 * - `seed`: input nodes (given value, else default; missing required -> FAILED MISSING_INPUT) or the trigger
 *   node that fired, then every block node without incoming links runs once.
 * - `takeReady`: QUEUED runs move to RUNNING, at most `maxParallel` at once; the shell starts them.
 * - `streamYield(run, seq, pin, value)` (streaming blocks): delivered at once; seq <= delivered_seq is ignored.
 * - `attemptSucceeded(run, yields)`: yields delivered along every link from their pins, in yield order.
 * - `attemptFailed(run, error)`: retry after backoff (WAITING, `retryDue` later), else the error pin if
 *   linked, else the execution FAILS. Platform failures (limits, credits, cancellation) fail it at once.
 * - `suspend(run, reason)`: a delay or a child execution; WAITING holds no slot. The result comes later
 *   as attemptSucceeded / attemptFailed.
 * - `cancel()`, `fail(error)` (execution timeout and other platform failures found by the shell).
 * Events for runs that are no longer active, or after the execution finished, change nothing.
 *
 * This file holds the events; the parts they share are pure modules beside it: attempt-failure.ts (retry or fail),
 * execution-state.ts (runs, ready queue, counters), run-delivery.ts (fan-out along links, admission of
 * complete runs, the error pin), finish-policy.ts (when and how the execution ends), seeding.ts, node-inbox.ts.
 *
 * How values meet is node-inbox.ts (FIFO pairing per slot, held and gather pins); output nodes are collected
 * at once. The execution completes when nothing is queued, running or waiting and no gather can fire. A retry
 * from the failure passes a ReplayBook (replay.ts): a run it has a recorded copy of completes without an attempt.
 *
 * How a durable shell persists and resumes:
 * - The whole state is the NodeRun records (one node_executions row each, stored as the NodeRunRecord of
 *   engine.types.ts, mapped by executions/node-run-rows.ts) plus the execution's status and error.
 *   Everything else is derived: held (static link / sticky pin) values are the slot's value in the
 *   node's latest row that has it; results are the `value` inputs of COMPLETED output rows in seq order;
 *   the node-execution count is the number of non-INCOMPLETE rows of block and output nodes.
 * - After each event, write `step.changed` (insert new rows, update the others: status, inputs, outputs,
 *   error, attempt, delivered_seq, waiting_for) and `step.execution` in ONE transaction; only then start
 *   `step.started`, arm `step.retries` (resume_at = now + delay_ms; call `retryDue` when due), abort
 *   `step.abort`, and announce. A yield is thus delivered exactly when the row that delivers it commits.
 * - Resume after a crash (lease lapsed): read the execution and its rows in seq order and call
 *   `ExecutionScheduler.restore(graph, {status, error, runs})`. COMPLETED and FAILED rows never run again;
 *   RUNNING rows go back to QUEUED (node runs are at-least-once) and appear in the returned step; WAITING
 *   rows stay WAITING (the shell re-arms delays and child watches from waiting_for / resume_at; retry
 *   backoffs are listed in the step); a streaming run re-run from the start skips yields at or below its
 *   delivered_seq; an execution that went quiet just before the crash completes in that step. Persist the
 *   step, then go on with `takeReady`.
 * - Streaming: persist each streamYield step (the run's delivered_seq moves with the rows it fed) before
 *   taking the block's next yield.
 * - `waiting_for` carries durations (`delay_ms`); the node_executions row stores when it is due
 *   (`resume_at`, and `until` in its waiting_for): the shell converts with its clock.
 * - Rows must be read back in `seq` order: keep `seq` in a column, or insert rows with clock_timestamp() so
 *   (created_at, id) keeps creation order within one transaction.
 */
import { handleFailedAttempt } from './attempt-failure.js';
import { EngineErrorCode, toNodeError, type ExecutionError, type NodeError } from './engine.errors.js';
import { NodeRunStatus, ExecutionStatus, type NodeRun, type NodeYield, type Seed, type Step, type WaitReason } from './engine.types.js';
import { ExecutionState, type ExecutionSnapshot } from './execution-state.js';
import { finishExecution, settle } from './finish-policy.js';
import type { CompiledGraph } from './graph.compiler.js';
import type { ReplayBook } from './replay.js';
import { RunDelivery } from './run-delivery.js';
import { planSeed } from './seeding.js';

export type { ExecutionSnapshot } from './execution-state.js';

export interface SchedulerOptions {
  /** Node runs RUNNING at once (default 16, `executor.max_parallel`). */
  maxParallel?: number;
  /** Node executions per execution (default 10,000, `executor.max_node_executions`). */
  maxNodeExecutions?: number;
  /** Ids for new runs; deterministic by default (`n1`, `n2`, ...). */
  newRunId?: (seq: number) => string;
  /** Retry from the failure: completed runs of the retried execution, reused instead of run (replay.ts). */
  replay?: ReplayBook;
}

export class ExecutionScheduler {
  private readonly state: ExecutionState;
  private readonly maxParallel: number;
  private readonly maxNodeExecutions: number;
  private readonly delivery: RunDelivery;
  private readonly replay: ReplayBook | null;

  constructor(
    readonly graph: CompiledGraph,
    options: SchedulerOptions = {},
  ) {
    this.maxParallel = Math.max(1, options.maxParallel ?? 16);
    this.maxNodeExecutions = Math.max(1, options.maxNodeExecutions ?? 10_000);
    this.state = new ExecutionState(graph, options.newRunId ?? ((seq) => `n${seq}`));
    this.delivery = new RunDelivery(this.state, this.maxNodeExecutions);
    this.replay = options.replay ?? null;
  }

  /** Rebuilds a scheduler from stored rows; the step holds what resuming changed (see the top of this file). */
  static restore(graph: CompiledGraph, snapshot: ExecutionSnapshot, options: SchedulerOptions = {}): { scheduler: ExecutionScheduler; step: Step } {
    const scheduler = new ExecutionScheduler(graph, options);
    scheduler.state.adopt(snapshot);
    // Recorded copies used their entries before the restart: they are not offered again.
    for (const run of scheduler.state.runs) if (run.reused) scheduler.replay?.take(run.node, run.inputs);
    scheduler.settle();
    return { scheduler, step: scheduler.state.step.take() };
  }

  get executionStatus(): ExecutionStatus {
    return this.state.status;
  }

  get executionError(): ExecutionError | null {
    return this.state.error;
  }

  /** Every node run so far, in seq order (the live records: copy before keeping them). */
  get nodeRuns(): readonly NodeRun[] {
    return this.state.runs;
  }

  get counts(): { queued: number; running: number; waiting: number; node_executions: number } {
    const { queued, running, active, counted } = this.state;
    return { queued, running, waiting: active.size - running, node_executions: counted };
  }

  /** `{output name: [values in order]}`, every output name present. */
  outputs(): Record<string, unknown[]> {
    return this.state.outputs();
  }

  snapshot(): ExecutionSnapshot {
    return { status: this.state.status, error: this.state.error, runs: this.state.runs };
  }

  seed(seed: Seed): Step {
    const state = this.state;
    if (state.status !== ExecutionStatus.QUEUED) throw new Error(`seed() on an execution that is already ${state.status}`);
    const plan = planSeed(this.graph, seed);
    state.status = ExecutionStatus.RUNNING;
    state.step.setExecution({ status: ExecutionStatus.RUNNING, error: null, outputs: null });
    if (plan.missing) {
      finishExecution(state, ExecutionStatus.FAILED, plan.missing);
      return state.step.take();
    }
    for (const [node, value] of plan.inputs) this.delivery.seedRun(node, [['value', value]]);
    if (plan.trigger) this.delivery.seedRun(plan.trigger, Object.entries(seed.trigger!.outputs));
    this.delivery.drain();
    for (const node of this.graph.startNodes) {
      if (!state.live) break;
      this.delivery.admit(node, state.newRun(node));
      this.delivery.drain();
    }
    this.settle();
    return state.step.take();
  }

  /** Moves QUEUED runs to RUNNING while fewer than maxParallel run (at most `limit` now); replayed copies take no slot. */
  takeReady(limit = Number.POSITIVE_INFINITY): Step {
    const state = this.state;
    const held: NodeRun[] = [];
    let reused = false;
    for (let taken = 0; state.live && state.running < this.maxParallel && taken < limit; taken++) {
      const run = state.dequeue();
      if (!run) break;
      if (this.delivery.reuseRun(this.replay, run)) {
        reused = true;
        taken--;
      } else if (!this.start(run, held)) taken--;
    }
    state.requeueFirst(held);
    if (reused) this.settle();
    return state.step.take();
  }

  /** Starts `run` unless its node's `concurrency` is taken (RUNNING and WAITING runs hold it): then it is held, ahead of its node's later runs. */
  private start(run: NodeRun, held: NodeRun[]): boolean {
    const state = this.state;
    const cap = state.node(run).concurrency;
    if (cap !== null && (held.some((other) => other.node === run.node) || state.activeOf(run.node) >= cap)) {
      held.push(run);
      return false;
    }
    run.status = NodeRunStatus.RUNNING;
    run.attempt++;
    run.waiting_for = null;
    state.running++;
    state.active.add(run);
    state.step.start(run);
    return true;
  }

  streamYield(runId: string, seq: number, pin: string, value: unknown): Step {
    const run = this.state.activeRun(runId);
    if (!run || run.status !== NodeRunStatus.RUNNING) return this.state.step.take();
    if (pin === 'error') {
      handleFailedAttempt(this.state, this.delivery, run, toNodeError(value));
    } else if (seq > run.delivered_seq) {
      run.delivered_seq = seq;
      this.state.step.touch(run);
      this.delivery.yieldValue(run, this.state.node(run), pin, value);
    }
    return this.conclude();
  }

  attemptSucceeded(runId: string, yields: readonly NodeYield[]): Step {
    const state = this.state;
    const run = state.activeRun(runId);
    if (!run) return state.step.take();
    const failure = yields.find(([pin]) => pin === 'error');
    if (failure) return this.attemptFailed(runId, toNodeError(failure[1]));
    state.release(run);
    const node = state.node(run);
    run.status = NodeRunStatus.COMPLETED;
    run.waiting_for = null;
    state.step.touch(run);
    if (!node.streaming) run.outputs = {};
    for (const [pin, value] of yields) {
      // A streaming run reported without streamYield: its yields follow what was delivered.
      if (node.streaming) run.delivered_seq++;
      this.delivery.yieldValue(run, node, pin, value);
    }
    return this.conclude();
  }

  attemptFailed(runId: string, error: NodeError): Step {
    const run = this.state.activeRun(runId);
    if (run) handleFailedAttempt(this.state, this.delivery, run, error);
    return this.conclude();
  }

  /** A RUNNING run starts waiting for a delay or a child execution; its slot is free meanwhile. */
  suspend(runId: string, reason: WaitReason): Step {
    const run = this.state.activeRun(runId);
    if (run && run.status === NodeRunStatus.RUNNING) {
      this.state.running--;
      run.status = NodeRunStatus.WAITING;
      run.waiting_for = reason;
      this.state.step.touch(run);
    }
    return this.state.step.take();
  }

  /** A retry backoff is over: the run is QUEUED for its next attempt. */
  retryDue(runId: string): Step {
    return this.requeueWaiting(runId, 'retry');
  }

  /** The reviews an ai.agent run waited on (require_approval tools) ended: it runs again and continues its conversation. */
  toolsDecided(runId: string): Step {
    return this.requeueWaiting(runId, 'tool');
  }

  private requeueWaiting(runId: string, kind: 'retry' | 'tool'): Step {
    const run = this.state.activeRun(runId);
    if (run && run.status === NodeRunStatus.WAITING && run.waiting_for?.kind === kind) {
      // An ai.agent that waited on reviews goes on with the same attempt (takeReady adds one back): charged once, its retries untouched.
      if (kind === 'tool') run.attempt = Math.max(0, run.attempt - 1);
      this.state.release(run);
      this.state.enqueue(run);
      // Its node's slot was held through the backoff: with a `concurrency`, it goes ahead of the node's later runs.
      if (this.state.node(run).concurrency !== null) this.state.requeueFirst(this.state.takeLast());
      this.state.step.touch(run);
    }
    return this.state.step.take();
  }

  cancel(): Step {
    finishExecution(this.state, ExecutionStatus.CANCELLED, {
      code: EngineErrorCode.CANCELLED,
      message: 'The execution was stopped before it finished.',
      node_id: null,
    });
    return this.state.step.take();
  }

  /** A platform failure found outside the core (execution timeout, credits): the execution FAILS. */
  fail(error: NodeError, nodeId: string | null = null): Step {
    finishExecution(this.state, ExecutionStatus.FAILED, { code: error.code, message: error.message, node_id: nodeId });
    return this.state.step.take();
  }

  private conclude(): Step {
    this.delivery.drain();
    this.settle();
    return this.state.step.take();
  }

  private settle(): void {
    settle(this.state, () => this.delivery.flushOneGather());
  }
}
