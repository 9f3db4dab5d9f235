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
 * How values meet (node-inbox.ts): a node runs once per complete set of inputs. Each linked pin (or
 * sink-side dict key) is a slot; values pair first-in-first-out across slots; static links and sticky pins
 * hold their last value for every run; gather pins collect every value for one run, which fires when the
 * block's `gatherCount` is reached or when the execution goes quiet (earliest gather node first). A run
 * becomes QUEUED when every slot holds a value; required pins nothing can fill fail the node when it would
 * run; output nodes are collected at once (no block call). Values without partners stay INCOMPLETE. The
 * execution completes when nothing is queued, running or waiting and no gather can fire.
 *
 * How a durable shell persists and resumes:
 * - The whole state is the NodeRun records (one node_executions row each) plus the execution's status and
 *   error. Everything else is derived: held (static link / sticky pin) values are the slot's value in the
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
import { validationFailed } from '../../common/errors.js';
import { describeValue, EngineErrorCode, isPlatformFailure, isRetriable, toNodeError, type ExecutionError, type NodeError } from './engine.errors.js';
import { NodeRunStatus, ExecutionStatus, isFinalRunStatus, type NodeRun, type NodeYield, type Seed, type Step, type WaitReason } from './engine.types.js';
import { ExecutionState, type ExecutionSnapshot } from './execution-state.js';
import { hasErrorLinks, type CompiledGraph, type CompiledLink, type CompiledNode } from './graph.compiler.js';
import { checkHttpResponse, HTTP_RESPONSE_OUTPUT } from './http-response.js';
import { buildRunInputs, pickPath } from './link-values.js';
import { hasAttemptsLeft, retryDelay } from './retry.js';

export type { ExecutionSnapshot } from './execution-state.js';

export interface SchedulerOptions {
  /** Node runs RUNNING at once (default 16, `executor.max_parallel`). */
  maxParallel?: number;
  /** Node executions per execution (default 10,000, `executor.max_node_executions`). */
  maxNodeExecutions?: number;
  /** Ids for new runs; deterministic by default (`n1`, `n2`, ...). */
  newRunId?: (seq: number) => string;
}

export class ExecutionScheduler {
  private readonly state: ExecutionState;
  private readonly maxParallel: number;
  private readonly maxNodeExecutions: number;
  /** Link values waiting to be delivered within the current event (parallel arrays: no tuple per value). */
  private readonly pendingLinks: CompiledLink[] = [];
  private readonly pendingValues: unknown[] = [];

  constructor(
    readonly graph: CompiledGraph,
    options: SchedulerOptions = {},
  ) {
    this.maxParallel = Math.max(1, options.maxParallel ?? 16);
    this.maxNodeExecutions = Math.max(1, options.maxNodeExecutions ?? 10_000);
    this.state = new ExecutionState(graph, options.newRunId ?? ((seq) => `n${seq}`));
  }

  /** Rebuilds a scheduler from stored rows; the step holds what resuming changed (see the top of this file). */
  static restore(graph: CompiledGraph, snapshot: ExecutionSnapshot, options: SchedulerOptions = {}): { scheduler: ExecutionScheduler; step: Step } {
    const scheduler = new ExecutionScheduler(graph, options);
    scheduler.state.adopt(snapshot);
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
    const trigger = seed.trigger ? this.graph.nodes.get(seed.trigger.node) : undefined;
    if (seed.trigger && trigger?.kind !== 'trigger') {
      const triggers = this.graph.nodeList.filter((n) => n.kind === 'trigger').map((n) => n.id);
      throw validationFailed([
        {
          node: seed.trigger.node,
          message: `"${seed.trigger.node}" is not a trigger node of ${this.graph.name}; its trigger nodes are: ${triggers.join(', ') || 'none'}`,
        },
      ]);
    }
    state.status = ExecutionStatus.RUNNING;
    state.step.setExecution({ status: ExecutionStatus.RUNNING, error: null, outputs: null });
    const seeded: Array<[CompiledNode, unknown]> = [];
    const missing: string[] = [];
    for (const node of this.graph.inputNodes) {
      if (!trigger && Object.prototype.hasOwnProperty.call(seed.inputs ?? {}, node.name!)) seeded.push([node, seed.inputs![node.name!]]);
      else if (node.hasDefault) seeded.push([node, node.constants.default]);
      else missing.push(node.name!);
    }
    if (missing.length > 0) {
      this.finish(ExecutionStatus.FAILED, { code: EngineErrorCode.MISSING_INPUT, message: missingInputMessage(missing, trigger?.id), node_id: null });
      return state.step.take();
    }
    for (const [node, value] of seeded) this.seedRun(node, [['value', value]]);
    if (trigger) this.seedRun(trigger, Object.entries(seed.trigger!.outputs));
    this.drain();
    for (const node of this.graph.startNodes) {
      if (!state.live) break;
      this.admit(node, state.newRun(node));
      this.drain();
    }
    this.settle();
    return state.step.take();
  }

  /** Moves QUEUED runs to RUNNING while fewer than maxParallel run (and at most `limit` now). */
  takeReady(limit = Number.POSITIVE_INFINITY): Step {
    const state = this.state;
    for (let taken = 0; state.live && state.running < this.maxParallel && taken < limit; taken++) {
      const run = state.dequeue();
      if (!run) break;
      run.status = NodeRunStatus.RUNNING;
      run.attempt++;
      run.waiting_for = null;
      state.running++;
      state.active.add(run);
      state.step.start(run);
    }
    return state.step.take();
  }

  streamYield(runId: string, seq: number, pin: string, value: unknown): Step {
    const run = this.state.activeRun(runId);
    if (!run || run.status !== NodeRunStatus.RUNNING) return this.state.step.take();
    if (pin === 'error') {
      this.handleFailure(run, toNodeError(value));
    } else if (seq > run.delivered_seq) {
      run.delivered_seq = seq;
      this.state.step.touch(run);
      this.state.record(run, pin, value);
      this.emit(this.state.node(run), pin, value);
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
      state.record(run, pin, value);
      this.emit(node, pin, value);
    }
    return this.conclude();
  }

  attemptFailed(runId: string, error: NodeError): Step {
    const run = this.state.activeRun(runId);
    if (run) this.handleFailure(run, error);
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
    const run = this.state.activeRun(runId);
    if (run && run.status === NodeRunStatus.WAITING && run.waiting_for?.kind === 'retry') {
      this.state.release(run);
      this.state.enqueue(run);
      this.state.step.touch(run);
    }
    return this.state.step.take();
  }

  cancel(): Step {
    this.finish(ExecutionStatus.CANCELLED, { code: EngineErrorCode.CANCELLED, message: 'The execution was stopped before it finished.', node_id: null });
    return this.state.step.take();
  }

  /** A platform failure found outside the core (execution timeout, credits): the execution FAILS. */
  fail(error: NodeError, nodeId: string | null = null): Step {
    this.finish(ExecutionStatus.FAILED, { code: error.code, message: error.message, node_id: nodeId });
    return this.state.step.take();
  }

  // --- delivery ---------------------------------------------------------------------------------

  private conclude(): Step {
    this.drain();
    this.settle();
    return this.state.step.take();
  }

  private seedRun(node: CompiledNode, yields: ReadonlyArray<readonly [string, unknown]>): void {
    const run = this.state.newRun(node);
    run.status = NodeRunStatus.COMPLETED;
    for (const [pin, value] of yields) {
      this.state.record(run, pin, value);
      this.emit(node, pin, value);
    }
  }

  private emit(node: CompiledNode, pin: string, value: unknown): void {
    const links = node.outgoing.get(pin);
    if (!links) return;
    for (const link of links) {
      this.pendingLinks.push(link);
      this.pendingValues.push(value);
    }
  }

  /** Delivers pending link values in order (a delivery can add more: the error pin of a failed sink). */
  private drain(): void {
    for (let i = 0; i < this.pendingLinks.length && this.state.live; i++) this.deliver(this.pendingLinks[i]!, this.pendingValues[i]);
    this.pendingLinks.length = 0;
    this.pendingValues.length = 0;
  }

  private deliver(link: CompiledLink, value: unknown): void {
    const state = this.state;
    const sink = this.graph.nodes.get(link.sink)!;
    let delivered = value;
    if (link.path.length > 0) {
      const picked = pickPath(value, link.path);
      if (!picked.found) {
        const run = state.newRun(sink);
        if (this.countRun(sink, run))
          this.failRun(run, { code: EngineErrorCode.LINK_KEY_MISSING, message: keyMissingMessage(link, picked.depth, picked.parent) });
        return;
      }
      delivered = picked.value;
    }
    const inbox = state.inbox(sink);
    for (const run of inbox.accept(link.slot, delivered)) state.step.touch(run);
    for (let run = inbox.takeComplete(); run !== null && state.live; run = inbox.takeComplete()) this.admit(sink, run);
  }

  /** A run with complete inputs: counted, then QUEUED (or, for an output node, collected at once). */
  private admit(node: CompiledNode, run: NodeRun): void {
    run.inputs = buildRunInputs(node, run.inputs);
    this.state.step.touch(run);
    if (!this.countRun(node, run)) return;
    if (node.unsatisfiedRequired.length > 0) {
      this.failRun(run, { code: EngineErrorCode.NODE_FAILED, message: unsatisfiedMessage(node) });
    } else if (node.kind === 'output') {
      const invalid = node.name === HTTP_RESPONSE_OUTPUT ? checkHttpResponse(run.inputs.value) : null;
      if (invalid && !invalid.ok) {
        this.failRun(run, {
          code: EngineErrorCode.HTTP_RESPONSE_INVALID,
          message: `Output "${node.id}" (http_response) got a value that cannot be sent as an HTTP answer: ${invalid.problem}.`,
        });
        return;
      }
      run.status = NodeRunStatus.COMPLETED;
      this.state.collectResult(node, run.inputs.value);
    } else {
      this.state.enqueue(run);
    }
  }

  /** Counts a node execution against the cap; at the cap the run fails and the execution with it. */
  private countRun(node: CompiledNode, run: NodeRun): boolean {
    if (node.kind !== 'block' && node.kind !== 'output') return true;
    if (this.state.counted < this.maxNodeExecutions) {
      this.state.counted++;
      return true;
    }
    const error = {
      code: EngineErrorCode.NODE_LIMIT,
      message: `The execution reached its limit of ${this.maxNodeExecutions} node executions (executor.max_node_executions) when node "${node.id}" was about to run; a loop that never stops is the usual cause.`,
    };
    run.status = NodeRunStatus.FAILED;
    run.error = error;
    this.state.step.touch(run);
    this.finish(ExecutionStatus.FAILED, { ...error, node_id: node.id });
    return false;
  }

  // --- failures and completion ------------------------------------------------------------------

  private handleFailure(run: NodeRun, error: NodeError): void {
    const state = this.state;
    const node = state.node(run);
    state.release(run);
    state.step.touch(run);
    if (isPlatformFailure(error.code)) {
      run.status = NodeRunStatus.FAILED;
      run.error = error;
      this.finish(ExecutionStatus.FAILED, { ...error, node_id: node.id });
      return;
    }
    const streamed = node.streaming && run.delivered_seq > 0;
    if (isRetriable(error.code) && !streamed && hasAttemptsLeft(node.retry, run.attempt)) {
      const delay = retryDelay(node.retry!, run.attempt);
      run.status = NodeRunStatus.WAITING;
      run.waiting_for = { kind: 'retry', attempt: run.attempt + 1, delay_ms: delay };
      state.active.add(run);
      state.step.retry(run, delay);
      return;
    }
    this.failRun(run, error);
  }

  /** A node execution failed for good: its error pin carries `{code, message}` if linked, else the execution fails. */
  private failRun(run: NodeRun, error: NodeError): void {
    const node = this.state.node(run);
    run.status = NodeRunStatus.FAILED;
    run.error = error;
    run.waiting_for = null;
    this.state.step.touch(run);
    if (isPlatformFailure(error.code) || !hasErrorLinks(node)) {
      this.finish(ExecutionStatus.FAILED, { code: error.code, message: error.message, node_id: node.id });
      return;
    }
    const value = { code: error.code, message: error.message };
    run.outputs = { error: [value] };
    this.emit(node, 'error', value);
  }

  /** When nothing is queued, running or waiting: flush one gather run (earliest rank first), else complete. */
  private settle(): void {
    const state = this.state;
    while (state.live && state.queued === 0 && state.active.size === 0) {
      if (!this.flushOneGather()) this.finish(ExecutionStatus.COMPLETED, null);
    }
  }

  private flushOneGather(): boolean {
    for (const node of this.graph.gatherNodes) {
      const run = this.state.existingInbox(node.id)?.takeFlushable();
      if (!run) continue;
      this.admit(node, run);
      this.drain();
      return true;
    }
    return false;
  }

  private finish(status: ExecutionStatus, error: ExecutionError | null): void {
    const state = this.state;
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
}

function missingInputMessage(missing: string[], triggerId: string | undefined): string {
  const one = missing.length === 1;
  const what = `required input${one ? '' : 's'} ${missing.map((m) => `"${m}"`).join(', ')}`;
  return triggerId
    ? `A run started by trigger "${triggerId}" cannot give a value to the ${what} (no default): give ${one ? 'it' : 'them'} a default in the agent file.`
    : `The execution needs a value for the ${what}: pass ${one ? 'it' : 'them'} as inputs (no default is set).`;
}

function keyMissingMessage(link: CompiledLink, depth: number, parent: unknown): string {
  const key = link.path[depth]!;
  const at = link.path.slice(0, depth).join('.');
  return `Link ${link.label}: the value has no ${/^\d+$/.test(key) ? 'item' : 'key'} "${key}"${at ? ` under "${at}"` : ''} (it is ${describeValue(parent)}). Link a key the value has, or link the "error" pin of "${link.sink}" to handle this.`;
}

function unsatisfiedMessage(node: CompiledNode): string {
  const one = node.unsatisfiedRequired.length === 1;
  const pins = node.unsatisfiedRequired.map((p) => `"${p}"`).join(', ');
  return `Node "${node.id}" (${node.blockId}) cannot run: required input pin${one ? '' : 's'} ${pins} ha${one ? 's' : 've'} no value. Set ${one ? 'it' : 'them'} under the node's inputs or link ${one ? 'it' : 'them'}.`;
}
