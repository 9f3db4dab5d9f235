// Drives one claimed execution on the scheduling core (see engine/scheduler.ts, "How a durable shell
// persists and resumes"): every event's step is written (with the steps of other executions, by the
// StepWriter) BEFORE its runs start, its events are published, or its waits are armed. Events that arrive
// while a write is in flight are applied together and written in the next one (a group commit per execution).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlockContext, BlockHttpClient, BlockLookup, BlockRuntimeSettings } from '../../blocks/block.types.js';
import type { CredentialResolution, CredentialResolver } from '../../blocks/credential-resolver.js';
import { formatDuration, parseDuration } from '../../common/units.js';
import type { AttemptOutcome } from '../engine/block-attempt.js';
import { EngineError, EngineErrorCode, toNodeError, type NodeError } from '../engine/engine.errors.js';
import { NodeRunStatus, RunStatus, isFinalRunStatus, type NodeRun, type NodeYield, type Step } from '../engine/engine.types.js';
import type { CompiledGraph, CompiledNode } from '../engine/graph.compiler.js';
import { ExecutionScheduler } from '../engine/scheduler.js';
import { realTimers } from '../engine/timers.js';
import { executeScrubbedAttempt } from '../engine/scrubbed-attempt.js';
import { runValidatedBlock } from '../../blocks/validated-run.js';
import { noAgentNamed } from '../../graphs/graph-access.js';
import type { ExecutionChargeHook } from '../execution.hooks.js';
import { fileTrustedFields } from '../file-trust.js';
import type { ClaimedExecution, ExecutionWrite, NewChildExecution, StoredRun, WrittenExecution } from './execution-store.repository.js';
import { fromStoredRun, newExtras, toStoredRun } from './run-rows.js';
import { DEFAULT_MAX_RESUMES, resumedTooOften, StepRefusedError, writeAfterRefusal } from './store-failure.js';

/** Waits longer than this give the execution back (lease released, a delayed dispatch wakes it). */
export const PARK_AFTER_MS = 2_000;
/** Streaming yields a block may make before earlier ones are written (they are written in groups). */
export const STREAM_WINDOW = 512;

export interface RunnerLimits {
  maxParallel: number;
  nodeTimeoutMs: number;
  maxNodeExecutions: number;
  maxValueBytes: number;
  maxDepth: number;
  /** `limits.max_json_depth` (default 64). */
  maxJsonDepth?: number;
  /** `executor.max_resumes`: re-runs of a node after lease lapses before WORKER_LOST (default 3). */
  maxResumes?: number;
}

export interface RunnerDeps {
  write(write: ExecutionWrite): Promise<WrittenExecution | null>;
  childResults(ids: string[]): Promise<Array<{ id: string; status: RunStatus; outputs: Record<string, unknown[]> | null; error: { code: string; message: string } | null }>>;
  /** The child's version, or null when it does not exist or `userId` may not start it (graph-access.ts). */
  childVersion(graphId: string, version: number | null, userId: string): Promise<number | null>;
  cancelExecutions(ids: string[]): Promise<void>;
  dispatch(executionId: string, delayMs?: number): void;
  blocks: BlockLookup;
  resolver: CredentialResolver;
  charge: ExecutionChargeHook;
  http(signal: AbortSignal): BlockHttpClient;
  settings: BlockRuntimeSettings;
  logger: Logger;
  /** Called after each written step, in order: the shell publishes events from it. */
  announce(execution: ClaimedExecution, runs: StoredRun[], status: { status: RunStatus; error: unknown; outputs: unknown; cost: number } | null): void;
  attemptEnded(block: string, ok: boolean, seconds: number): void;
  finished(written: WrittenExecution, execution: ClaimedExecution, error: unknown, outputs: Record<string, unknown[]> | null): void;
}

export type RunnerEnd = 'finished' | 'parked' | 'lost' | 'drained';

interface Batch {
  events: Array<() => Step>;
  done: Promise<void>;
  resolve: () => void;
}

export class ExecutionRunner {
  private readonly scheduler: ExecutionScheduler;
  private readonly extras = newExtras();
  private readonly controllers = new Map<string, AbortController>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly logger: Logger;
  private cost: number;
  private batch: Batch | null = null;
  private writing = false;
  private ended = false;
  private draining = false;
  private resolveEnd!: (end: RunnerEnd) => void;
  readonly end: Promise<RunnerEnd>;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private firstStep: Step;

  constructor(
    readonly execution: ClaimedExecution,
    private readonly graph: CompiledGraph,
    stored: StoredRun[],
    private readonly limits: RunnerLimits,
    private readonly deps: RunnerDeps,
  ) {
    this.end = new Promise((resolve) => (this.resolveEnd = resolve));
    this.logger = deps.logger.child({ execution_id: execution.id });
    this.cost = execution.cost;
    const options = { maxParallel: graph.definition.max_parallel ?? limits.maxParallel, maxNodeExecutions: limits.maxNodeExecutions, newRunId: () => randomUUID() };
    const now = Date.now();
    if (execution.fresh) {
      this.scheduler = new ExecutionScheduler(graph, options);
      this.firstStep = { changed: [], started: [], retries: [], abort: [], execution: null };
    } else {
      const runs = stored.map((row) => fromStoredRun(row, this.extras, now));
      const restored = ExecutionScheduler.restore(graph, { status: RunStatus.RUNNING, error: null, runs }, options);
      this.scheduler = restored.scheduler;
      this.firstStep = restored.step;
      const lost = resumedTooOften(stored, limits.maxResumes ?? DEFAULT_MAX_RESUMES);
      if (lost) this.firstStep = mergeSteps([this.firstStep, this.scheduler.fail(lost, lost.node_id)]);
    }
  }

  get id(): string {
    return this.execution.id;
  }

  /** Seeds (fresh) or resumes the execution; `end` settles when it finishes, parks or is lost. */
  start(): Promise<RunnerEnd> {
    const execution = this.execution;
    if (execution.fresh) {
      const seed = execution.trigger_node && execution.trigger_event ? { trigger: { node: execution.trigger_node, outputs: execution.trigger_event } } : { inputs: execution.inputs };
      void this.post(() => this.scheduler.seed(seed));
    } else {
      const first = this.firstStep;
      void this.post(() => first);
      for (const run of this.scheduler.nodeRuns) if (run.status === NodeRunStatus.WAITING && run.waiting_for?.kind === 'delay') this.armDelay(run);
    }
    const deadline = new Date(execution.deadline_at).getTime() - Date.now();
    const timeoutFail = () =>
      void this.post(() => this.scheduler.fail({ code: EngineErrorCode.EXECUTION_TIMEOUT, message: `The execution ran longer than its timeout of ${formatDuration(this.graph.definition.timeout ?? Math.max(0, new Date(execution.deadline_at).getTime() - Date.now()))} and was stopped. Raise the agent's \`timeout\` if it needs more time.` }));
    if (deadline <= 0) timeoutFail();
    else this.deadlineTimer = setTimeout(timeoutFail, Math.min(deadline, 2_147_483_647));
    return this.end;
  }

  /** The lease was lost or the execution stopped elsewhere (CANCELLED): stop everything here, write nothing. */
  lost(): void {
    this.stop('lost');
  }

  /** Shutdown: start nothing new; ends ('drained') once running attempts have been written. */
  drain(): void {
    this.draining = true;
    void this.post(() => emptyStep());
  }

  /** Something changed outside (a child finished): look at child waits again. */
  poke(): void {
    void this.checkChildren().catch((error: unknown) => this.logger.warn({ err: error }, 'could not look at child executions; the sweep looks again'));
  }

  // --- the event loop -----------------------------------------------------------------------------

  /** Queues an event; the promise settles once the step it made is written. */
  private post(event: () => Step): Promise<void> {
    if (this.ended) return Promise.resolve();
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

  /** A step that cannot be finished (the database went away mid-way) loses the execution here; its lease lapses and it resumes. */
  private async flushOrLose(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger.error({ err: error }, 'an execution step failed; the execution resumes once its lease lapses');
      this.writing = false;
      this.stop('lost');
    }
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch || this.writing || this.ended) return;
    this.batch = null;
    this.writing = true;
    const steps: Step[] = [];
    for (const event of batch.events) {
      try {
        steps.push(event());
      } catch (error) {
        // A request the core refuses (a trigger node the version lacks): the execution fails, nothing runs.
        const message = error instanceof Error ? error.message : String(error);
        steps.push(this.scheduler.executionStatus === RunStatus.QUEUED ? this.scheduler.seed({ inputs: {} }) : emptyStep());
        steps.push(this.scheduler.fail({ code: EngineErrorCode.NODE_FAILED, message }));
        continue;
      }
      if (!this.draining && !isFinalRunStatus(this.scheduler.executionStatus)) steps.push(this.scheduler.takeReady());
    }
    const merged = mergeSteps(steps);
    const now = Date.now();
    for (const run of merged.started) this.beginAttempt(run, now);
    for (const { run, delay_ms } of merged.retries) this.extras.resumeAt.set(run.id, now + delay_ms);
    const children = this.pendingChildren.splice(0);
    const runs = merged.changed.map((run) => toStoredRun(this.id, run, this.extras, now));
    const change = merged.execution;
    const final = change !== null && isFinalRunStatus(change.status);
    let written: WrittenExecution | null;
    const write: ExecutionWrite = {
      id: this.id,
      runs,
      status: change?.status ?? null,
      error: change?.error ?? null,
      outputs: final ? change.outputs : null,
      cost: this.cost,
      node_execution_count: this.scheduler.counts.node_executions,
      release: false,
      children,
    };
    try {
      written = await this.deps.write(write);
    } catch (error) {
      if (error instanceof StepRefusedError) return this.refused(write, error, batch);
      this.logger.error({ err: error }, 'could not write an execution step; the execution resumes once its lease lapses');
      written = null;
    }
    this.writing = false;
    batch.resolve();
    if (!written) return this.stop('lost');
    this.deps.announce(this.execution, runs, change ? { status: change.status, error: change.error, outputs: final ? change.outputs : null, cost: this.cost } : null);
    for (const child of children) this.deps.dispatch(child.id);
    for (const id of merged.abort) this.abortRun(id);
    if (final) {
      this.deps.finished(written, this.execution, change.error, change.outputs);
      return this.stop('finished');
    }
    for (const { run, delay_ms } of merged.retries) this.armTimer(run.id, delay_ms, () => this.scheduler.retryDue(run.id));
    for (const run of merged.started) this.launch(run);
    if (this.batch) return this.flush();
    await this.whenQuiet();
  }

  /** The database refused this step (not a lost connection): the execution fails with STORE_FAILED, never lapses (store-failure.ts). */
  private async refused(write: ExecutionWrite, error: StepRefusedError, batch: Batch): Promise<void> {
    this.logger.error({ reason: error.message }, 'the database refused an execution step; the execution fails with STORE_FAILED');
    const outcome = await writeAfterRefusal((w) => this.deps.write(w), write, error);
    this.writing = false;
    batch.resolve();
    if (outcome === 'lost') return this.stop('lost');
    this.deps.announce(this.execution, outcome.runs, { status: RunStatus.FAILED, error: outcome.error, outputs: null, cost: this.cost });
    this.deps.finished(outcome.written, this.execution, outcome.error, null);
    this.stop('finished');
  }

  /** Nothing queued or running: deliver finished children, else park (long waits) or keep timers (short). */
  private async whenQuiet(): Promise<void> {
    const counts = this.scheduler.counts;
    if (this.ended || counts.running > 0 || this.controllers.size > 0) return;
    if (this.draining) return this.stop('drained');
    if (counts.queued > 0 || counts.waiting === 0) return;
    if (await this.checkChildren()) return;
    if (this.batch || this.writing || this.ended) return;
    const due = [...this.extras.resumeAt.entries()].filter(([id]) => this.isWaiting(id)).map(([, at]) => at);
    const next = due.length > 0 ? Math.min(...due) : null;
    const childWaits = this.childWaits();
    if (next !== null && next - Date.now() <= PARK_AFTER_MS && childWaits.length === 0) return;
    await this.park(next);
  }

  private async park(next: number | null): Promise<void> {
    this.writing = true;
    let written: WrittenExecution | null = null;
    try {
      written = await this.deps.write({ id: this.id, runs: [], status: null, error: null, outputs: null, cost: this.cost, node_execution_count: this.scheduler.counts.node_executions, release: true, children: [] });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not give the execution back; it resumes once its lease lapses');
    }
    this.writing = false;
    this.stop(written ? 'parked' : 'lost');
    if (!written) return;
    // Wake at the next due wait, or at the deadline (EXECUTION_TIMEOUT is due then even while only waiting).
    const deadline = new Date(this.execution.deadline_at).getTime();
    const wake = next === null ? deadline : Math.min(next, deadline);
    this.deps.dispatch(this.id, Math.max(0, wake - Date.now()));
    // A child that finished while we parked could not claim us to deliver: look once more.
    const finished = await this.deps.childResults(this.childWaits().map((w) => w.child)).catch(() => []);
    if (finished.some((c) => isFinalRunStatus(c.status))) this.deps.dispatch(this.id);
  }

  private childWaits(): Array<{ run: NodeRun; child: string }> {
    const waits: Array<{ run: NodeRun; child: string }> = [];
    for (const run of this.scheduler.nodeRuns) {
      if (run.status === NodeRunStatus.WAITING && run.waiting_for?.kind === 'child_execution' && run.waiting_for.execution_id) waits.push({ run, child: run.waiting_for.execution_id });
    }
    return waits;
  }

  /** Delivers the results of finished children; answers whether any was. */
  private async checkChildren(): Promise<boolean> {
    const waits = this.childWaits();
    if (waits.length === 0 || this.ended) return false;
    let results: Awaited<ReturnType<RunnerDeps['childResults']>>;
    try {
      results = await this.deps.childResults(waits.map((w) => w.child));
    } catch (error) {
      // Parking next fails too while the database is away (the execution is then lost and resumed later).
      this.logger.warn({ err: error }, 'could not read child executions');
      return false;
    }
    let any = false;
    for (const result of results) {
      if (!isFinalRunStatus(result.status)) continue;
      const wait = waits.find((w) => w.child === result.id)!;
      const agent = String(wait.run.inputs.agent);
      any = true;
      void this.post(() => {
        if (result.status !== RunStatus.COMPLETED) {
          const why = result.error ? `: ${result.error.code}: ${result.error.message}` : '';
          return this.scheduler.attemptFailed(wait.run.id, { code: EngineErrorCode.CHILD_FAILED, message: `Agent "${agent}" (run by node "${wait.run.node}") ${result.status === RunStatus.CANCELLED ? 'was cancelled' : 'failed'}${why}` });
        }
        const outputs = result.outputs ?? {};
        const yields: NodeYield[] = [];
        for (const [name, values] of Object.entries(outputs)) for (const value of values) yields.push([name, value]);
        yields.push(['outputs', outputs]);
        this.endAttempt(wait.run.id, null);
        return this.scheduler.attemptSucceeded(wait.run.id, yields);
      });
    }
    return any;
  }

  private stop(end: RunnerEnd): void {
    if (this.ended) return;
    this.ended = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.controllers.values()) controller.abort(new EngineError(EngineErrorCode.CANCELLED, 'The execution stopped here, so this node was stopped too.'));
    this.controllers.clear();
    this.batch?.resolve();
    this.batch = null;
    this.resolveEnd(end);
  }

  // --- attempts -----------------------------------------------------------------------------------

  private readonly pendingChildren: NewChildExecution[] = [];

  private beginAttempt(run: NodeRun, now: number): void {
    let attempts = this.extras.attempts.get(run.id);
    if (!attempts) this.extras.attempts.set(run.id, (attempts = []));
    attempts.push({ attempt: run.attempt, started_at: new Date(now).toISOString(), ended_at: null, error: null });
    this.extras.resumeAt.delete(run.id);
  }

  private endAttempt(runId: string, error: NodeError | null): void {
    const attempts = this.extras.attempts.get(runId);
    const last = attempts?.[attempts.length - 1];
    if (last && last.ended_at === null) {
      last.ended_at = new Date().toISOString();
      last.error = error;
    }
  }

  private launch(run: NodeRun): void {
    const controller = new AbortController();
    this.controllers.set(run.id, controller);
    const started = Date.now();
    const node = this.graph.nodes.get(run.node)!;
    this.attempt(run, node, controller)
      .catch((error: unknown): AttemptOutcome => ({ ok: false, error: toNodeError(error) }))
      .then((outcome) => {
        if (outcome === 'suspended') return;
        this.controllers.delete(run.id);
        if (this.ended) return;
        this.deps.attemptEnded(node.blockId, outcome.ok, (Date.now() - started) / 1000);
        void this.post(() => {
          this.endAttempt(run.id, outcome.ok ? null : outcome.error);
          return outcome.ok ? this.scheduler.attemptSucceeded(run.id, outcome.yields) : this.scheduler.attemptFailed(run.id, outcome.error);
        });
      });
  }

  private async attempt(run: NodeRun, node: CompiledNode, controller: AbortController): Promise<AttemptOutcome | 'suspended'> {
    const execution = this.execution;
    const charged = await this.deps.charge.charge({ executionId: execution.id, nodeExecutionId: run.id, attempt: run.attempt, userId: execution.user_id, blockId: node.blockId, inputs: run.inputs });
    if (charged.amount > 0) {
      this.extras.cost.set(run.id, (this.extras.cost.get(run.id) ?? 0) + charged.amount);
      this.cost += charged.amount;
    }
    if (controller.signal.aborted) throw controller.signal.reason;
    if (node.block.suspend === 'delay') return this.delay(run, node);
    if (node.block.suspend === 'child_execution') return this.child(run, node);
    // Most blocks take no credentials: nothing to resolve (the hot path of a plain agent).
    const needsCredentials = node.block.credentials !== undefined && Object.keys(node.block.credentials).length > 0;
    const overrides = execution.credentials[node.id] as Record<string, string> | undefined;
    const names = needsCredentials ? { ...(node.definition.credentials ?? {}), ...(overrides ?? {}) } : {};
    const fileTrusted = needsCredentials ? fileTrustedFields(execution.file_trust === true, Object.keys(node.block.credentials!), overrides) : [];
    const resolved: CredentialResolution = needsCredentials ? await this.deps.resolver.resolve({ block: node.block, names, userId: execution.user_id, fileTrusted }) : { credentials: {}, problems: [] };
    if (resolved.problems.length > 0) {
      return { ok: false, error: { code: EngineErrorCode.CREDENTIAL_UNRESOLVED, message: `Node "${node.id}" (${node.blockId}) cannot run: ${resolved.problems.map((p) => p.message).join('; ')}` } };
    }
    const context: Omit<BlockContext, 'signal'> = {
      executionId: execution.id,
      graphId: execution.graph_id,
      nodeId: node.id,
      nodeExecutionId: run.id,
      userId: execution.user_id,
      credentials: resolved.credentials,
      ...(resolved.systemDefaults ? { systemDefaults: resolved.systemDefaults } : {}),
      logger: this.logger.child({ node_id: node.id }),
      http: this.deps.http(controller.signal),
      settings: this.deps.settings,
      attempt: run.attempt,
    };
    const limits = { timeoutMs: node.definition.timeout ?? this.limits.nodeTimeoutMs, maxValueBytes: this.limits.maxValueBytes, maxJsonDepth: this.limits.maxJsonDepth, timers: realTimers };
    return executeScrubbedAttempt(runValidatedBlock, { block: node.block, inputs: run.inputs, context }, limits, controller, node.streaming ? this.streamYields(run.id) : undefined);
  }

  /**
   * Streaming yields go out in groups: each is applied (delivered downstream) only in the step that writes
   * it, and yields made while a step is being written share the next one. The block may run ahead of the
   * database by at most STREAM_WINDOW yields, then waits for them to be written (backpressure).
   */
  private streamYields(runId: string): (pin: string, value: unknown) => Promise<void> | undefined {
    let seq = 0;
    let unwritten = 0;
    return (pin, value) => {
      const n = ++seq;
      unwritten++;
      const written = this.post(() => this.scheduler.streamYield(runId, n, pin, value)).then(() => void unwritten--);
      return unwritten >= STREAM_WINDOW ? written : undefined;
    };
  }

  /** time.delay: WAITING with resume_at (no slot); a timer here, or a delayed dispatch once parked. */
  private delay(run: NodeRun, node: CompiledNode): AttemptOutcome | 'suspended' {
    const duration = run.inputs.duration;
    const ms = typeof duration === 'number' && duration >= 0 ? duration : parseDuration(duration);
    if (ms === null) return { ok: false, error: { code: EngineErrorCode.NODE_FAILED, message: `Node "${node.id}" got duration ${JSON.stringify(duration)}, which is not a duration: use a number of milliseconds or text like 500ms, 30s, 10m, 2h.` } };
    this.controllers.delete(run.id);
    void this.post(() => {
      this.extras.resumeAt.set(run.id, Date.now() + ms);
      const step = this.scheduler.suspend(run.id, { kind: 'delay', delay_ms: ms });
      if (run.status === NodeRunStatus.WAITING) queueMicrotask(() => this.armDelay(run));
      return step;
    });
    return 'suspended';
  }

  private armDelay(run: NodeRun): void {
    const due = this.extras.resumeAt.get(run.id) ?? Date.now();
    this.armTimer(run.id, Math.max(0, due - Date.now()), () => {
      this.endAttempt(run.id, null);
      return this.scheduler.attemptSucceeded(run.id, [['value', run.inputs.value === undefined ? null : run.inputs.value]]);
    });
  }

  /** agent.run: a child execution written with the parent's WAITING row, dispatched once written. */
  private async child(run: NodeRun, node: CompiledNode): Promise<AttemptOutcome | 'suspended'> {
    const depth = this.execution.depth + 1;
    const agent = run.inputs.agent;
    if (depth > this.limits.maxDepth) return fail(EngineErrorCode.DEPTH_LIMIT, `Node "${node.id}" would start agent ${JSON.stringify(agent)} at depth ${depth}, deeper than executor.max_depth (${this.limits.maxDepth}). Sub-agents that call each other this deep usually loop.`);
    if (typeof agent !== 'string' || agent === '') return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" (agent.run) needs the name of the agent to run in its \`agent\` input.`);
    const inputs = run.inputs.inputs ?? {};
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" (agent.run) needs its \`inputs\` to be an object of the child agent's input names and values.`);
    const requested = typeof run.inputs.version === 'number' ? run.inputs.version : null;
    const version = await this.deps.childVersion(agent, requested, this.execution.user_id);
    // Another user's graph and a missing one get the same answer (tenant isolation).
    if (version === null) return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" (agent.run): ${noAgentNamed(agent)}${requested ? ` with version ${requested}` : ''} that this execution may run. Fix the name, or sync the agent; an agent may call agent files and its user's own API graphs.`);
    const id = randomUUID();
    this.controllers.delete(run.id);
    void this.post(() => {
      const step = this.scheduler.suspend(run.id, { kind: 'child_execution', execution_id: id });
      if (run.status === NodeRunStatus.WAITING) {
        this.pendingChildren.push({ id, graph_id: agent, graph_version: version, user_id: this.execution.user_id, parent_id: this.execution.id, parent_node_execution_id: run.id, depth, inputs: inputs as Record<string, unknown> });
      }
      return step;
    });
    return 'suspended';
  }

  private armTimer(runId: string, delayMs: number, event: () => Step): void {
    const existing = this.timers.get(runId);
    if (existing) clearTimeout(existing);
    this.timers.set(
      runId,
      setTimeout(() => {
        this.timers.delete(runId);
        void this.post(event);
      }, Math.min(delayMs, 2_147_483_647)),
    );
  }

  private abortRun(runId: string): void {
    const timer = this.timers.get(runId);
    if (timer) clearTimeout(timer);
    this.timers.delete(runId);
    this.controllers.get(runId)?.abort(new EngineError(EngineErrorCode.CANCELLED, 'The execution stopped, so this node was stopped too.'));
    const run = this.scheduler.nodeRuns.find((r) => r.id === runId);
    const child = run?.waiting_for?.kind === 'child_execution' ? run.waiting_for.execution_id : undefined;
    if (child) void this.deps.cancelExecutions([child]).catch((error: unknown) => this.logger.warn({ err: error, child }, 'could not stop a child execution'));
  }

  private isWaiting(runId: string): boolean {
    return this.scheduler.nodeRuns.some((r) => r.id === runId && r.status === NodeRunStatus.WAITING);
  }
}

function emptyStep(): Step {
  return { changed: [], started: [], retries: [], abort: [], execution: null };
}

function mergeSteps(steps: Step[]): Step {
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

function fail(code: string, message: string): AttemptOutcome {
  return { ok: false, error: { code, message } };
}
