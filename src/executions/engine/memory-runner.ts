// Runs a whole graph in-process on the scheduling core: `trellis test` (no network, no database),
// `trellis run`, and single runs. It owns what the core leaves to a shell: calling blocks (through an
// injected attempt function), max_parallel slots, timeouts, retry backoffs, delays, child executions,
// cancellation and the per-node events. Nothing is persisted; the durable worker is another shell.
import { randomUUID } from 'node:crypto';
import type { BlockContext, BlockHttpClient } from '../../blocks/block.types.js';
import type { AgentDefinition } from '../../graphs/graph.types.js';
import { formatDuration, parseDuration } from '../../common/units.js';
import { checkValue, type AttemptOutcome } from './block-attempt.js';
import { executeScrubbedAttempt } from './scrubbed-attempt.js';
import { EngineError, EngineErrorCode, toNodeError, type NodeError } from './engine.errors.js';
import { NodeRunStatus, isFinalRunStatus, type NodeRun, type NodeYield, type Step } from './engine.types.js';
import { compileGraph, type CompiledGraph, type CompiledNode } from './graph.compiler.js';
import { checkRunRequest } from './memory-runner.checks.js';
import type { AttemptReport, FinalStatus, MemoryRunOptions, MemoryRunPorts, MemoryRunResult, NodeExecutionReport } from './memory-runner.types.js';
import { ExecutionScheduler } from './scheduler.js';
import { realTimers, type Timers } from './timers.js';

export type * from './memory-runner.types.js';

const DEFAULTS = { maxParallel: 16, nodeTimeoutMs: 300_000, executionTimeoutMs: 3_600_000, maxNodeExecutions: 10_000, maxValueBytes: 1024 * 1024, maxDepth: 8 };

type Logger = BlockContext['logger'];

/**
 * Runs `definition` to its end with the injected block runner and logger (the platform's are filled in by
 * executions/memory-run.ts). Throws VALIDATION_FAILED (before running anything) for a bad request.
 */
export async function runInMemory(definition: AgentDefinition, options: MemoryRunOptions & MemoryRunPorts): Promise<MemoryRunResult> {
  const graph = compileGraph(definition, options.blocks);
  checkRunRequest(graph, options);
  return new MemoryRun(graph, options).start();
}

/** Node ids that ran (a node execution COMPLETED or FAILED), and the graph's other nodes. */
export function ranAndNotRan(definition: AgentDefinition, result: MemoryRunResult): { ran: string[]; not_ran: string[] } {
  const ran = new Set(result.node_executions.filter((n) => n.status === NodeRunStatus.COMPLETED || n.status === NodeRunStatus.FAILED).map((n) => n.node_id));
  const ids = Object.keys(definition.nodes);
  return { ran: ids.filter((id) => ran.has(id)), not_ran: ids.filter((id) => !ran.has(id)) };
}

const refuseHttp: BlockHttpClient = {
  fetch: (url) => Promise.reject(new Error(`This run has no network: a request to ${String(url)} was refused. Mock the node in the agent test, or run it with \`trellis run\`.`)),
};

class MemoryRun {
  private readonly scheduler: ExecutionScheduler;
  private readonly timers: Timers;
  private readonly done = new AbortController();
  private readonly controllers = new Map<string, AbortController>();
  /** Per run: times (epoch ms, -1 for not yet) and attempts, turned into ISO text only when reported. */
  private readonly tracks = new Map<string, Track>();
  private readonly executionId: string;
  private readonly logger: Logger;
  private readonly nodeLoggers = new Map<string, Logger>();
  private resolve!: (result: MemoryRunResult) => void;
  private readonly onCancel = () => this.handle(this.scheduler.cancel());

  constructor(
    private readonly graph: CompiledGraph,
    private readonly options: MemoryRunOptions & MemoryRunPorts,
  ) {
    this.timers = options.timers ?? realTimers;
    this.executionId = options.executionId ?? randomUUID();
    this.logger = options.logger;
    this.scheduler = new ExecutionScheduler(graph, {
      maxParallel: graph.definition.max_parallel ?? options.maxParallel ?? DEFAULTS.maxParallel,
      maxNodeExecutions: options.maxNodeExecutions ?? DEFAULTS.maxNodeExecutions,
    });
  }

  start(): Promise<MemoryRunResult> {
    const finished = new Promise<MemoryRunResult>((resolve) => (this.resolve = resolve));
    const timeout = this.graph.definition.timeout ?? this.options.executionTimeoutMs ?? DEFAULTS.executionTimeoutMs;
    this.timers.sleep(timeout, this.done.signal).then(
      () => this.handle(this.scheduler.fail({ code: EngineErrorCode.EXECUTION_TIMEOUT, message: `The execution ran longer than its timeout of ${formatDuration(timeout)} and was stopped. Raise the agent's \`timeout\` if it needs more time.` })),
      () => undefined,
    );
    const seed = this.options.trigger ? { trigger: this.options.trigger } : { inputs: this.options.inputs ?? {} };
    if (this.options.signal?.aborted) this.handle(this.scheduler.cancel());
    else {
      this.options.signal?.addEventListener('abort', this.onCancel, { once: true });
      this.handle(this.scheduler.seed(seed));
    }
    return finished;
  }

  /** Applies a step, then fills free slots: the only place the runner reacts to the core. */
  private handle(step: Step): void {
    this.apply(step);
    if (!isFinalRunStatus(this.scheduler.executionStatus)) this.apply(this.scheduler.takeReady());
  }

  private apply(step: Step): void {
    const execution = step.execution;
    if (execution && !isFinalRunStatus(execution.status)) this.options.onEvent?.({ type: 'execution', status: 'RUNNING', error: null });
    for (const run of step.changed) this.report(run);
    for (const id of step.abort) this.controllers.get(id)?.abort(new EngineError(EngineErrorCode.CANCELLED, 'The execution stopped, so this node was stopped too.'));
    for (const { run, delay_ms } of step.retries) {
      this.timers.sleep(delay_ms, this.done.signal).then(
        () => this.handle(this.scheduler.retryDue(run.id)),
        () => undefined,
      );
    }
    for (const run of step.started) {
      // Registered now, so an abort in a later step of this same turn reaches the run before it starts.
      const controller = new AbortController();
      this.controllers.set(run.id, controller);
      void this.launch(run, controller);
    }
    if (execution && isFinalRunStatus(execution.status)) {
      this.options.onEvent?.({ type: 'execution', status: execution.status as FinalStatus, error: execution.error });
      this.finish(execution.status as FinalStatus);
    }
  }

  private finish(status: FinalStatus): void {
    this.done.abort();
    this.options.signal?.removeEventListener('abort', this.onCancel);
    this.resolve({
      status,
      outputs: this.scheduler.outputs(),
      error: this.scheduler.executionError,
      node_executions: this.scheduler.nodeRuns.map((run) => this.toReport(run)),
    });
  }

  private async launch(run: NodeRun, controller: AbortController): Promise<void> {
    await Promise.resolve(); // never re-enter the core from inside the step that started this run
    if (controller.signal.aborted || run.status !== NodeRunStatus.RUNNING) {
      this.controllers.delete(run.id);
      return;
    }
    const node = this.graph.nodes.get(run.node)!;
    const attempt: TrackedAttempt = { attempt: run.attempt, started: this.timers.now(), ended: -1, error: null };
    this.track(run.id).attempts.push(attempt);
    let outcome: AttemptOutcome;
    try {
      outcome = await this.attempt(run, node, controller);
    } catch (error) {
      outcome = { ok: false, error: toNodeError(error) };
    } finally {
      this.controllers.delete(run.id);
    }
    attempt.ended = this.timers.now();
    if (!outcome.ok) attempt.error = outcome.error;
    this.handle(outcome.ok ? this.scheduler.attemptSucceeded(run.id, outcome.yields) : this.scheduler.attemptFailed(run.id, outcome.error));
  }

  private async attempt(run: NodeRun, node: CompiledNode, controller: AbortController): Promise<AttemptOutcome> {
    const signal = controller.signal;
    const mock = this.options.mocks?.[node.id];
    if (mock) return mockOutcome(mock);
    if (node.block.suspend === 'delay') return this.delay(run, node, signal);
    if (node.block.suspend === 'child_execution') return this.child(run, node, signal);
    const context: Omit<BlockContext, 'signal'> = {
      executionId: this.executionId,
      nodeId: node.id,
      nodeExecutionId: run.id,
      userId: this.options.userId ?? 'local',
      credentials: this.options.resolveCredentials?.(node.id, node.definition.credentials ?? {}) ?? {},
      ...(this.options.systemDefaults ? { systemDefaults: this.options.systemDefaults } : {}),
      logger: this.nodeLogger(node.id),
      http: this.options.http ?? refuseHttp,
      settings: this.options.settings ?? { allowPrivateAddresses: false, maxResponseBytes: 10 * 1024 * 1024 },
      attempt: run.attempt,
    };
    const limits = { timeoutMs: node.definition.timeout ?? this.options.nodeTimeoutMs ?? DEFAULTS.nodeTimeoutMs, maxValueBytes: this.maxValueBytes(), maxJsonDepth: this.options.maxJsonDepth, timers: this.timers };
    let seq = 0;
    const onYield = node.streaming ? (pin: string, value: unknown) => this.handle(this.scheduler.streamYield(run.id, ++seq, pin, value)) : undefined;
    return executeScrubbedAttempt(this.options.runAttempt, { block: node.block, inputs: run.inputs, context }, limits, controller, onYield);
  }

  /** time.delay in-process: WAITING (no slot) for the duration, then `value` passes through. */
  private async delay(run: NodeRun, node: CompiledNode, signal: AbortSignal): Promise<AttemptOutcome> {
    const duration = run.inputs.duration;
    const ms = typeof duration === 'number' && duration >= 0 ? duration : parseDuration(duration);
    if (ms === null) return { ok: false, error: { code: EngineErrorCode.NODE_FAILED, message: `Node "${node.id}" got duration ${JSON.stringify(duration)}, which is not a duration: use a number of milliseconds or text like 500ms, 30s, 10m, 2h.` } };
    this.handle(this.scheduler.suspend(run.id, { kind: 'delay', delay_ms: ms }));
    await this.timers.sleep(ms, signal);
    return { ok: true, yields: [['value', run.inputs.value === undefined ? null : run.inputs.value]] };
  }

  /** agent.run: a child execution through the injected runner, WAITING meanwhile; its outputs come out on pins of the same names. */
  private async child(run: NodeRun, node: CompiledNode, signal: AbortSignal): Promise<AttemptOutcome> {
    const depth = (this.options.depth ?? 0) + 1;
    const maxDepth = this.options.maxDepth ?? DEFAULTS.maxDepth;
    const agent = run.inputs.agent;
    if (depth > maxDepth) return fail(EngineErrorCode.DEPTH_LIMIT, `Node "${node.id}" would start agent ${JSON.stringify(agent)} at depth ${depth}, deeper than executor.max_depth (${maxDepth}). Sub-agents that call each other this deep usually loop.`);
    if (typeof agent !== 'string' || agent === '') return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" (agent.run) needs the name of the agent to run in its \`agent\` input.`);
    if (!this.options.runChild) return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" runs agent "${agent}", but this run cannot start child executions. Mock the node in the agent test, or run it on a server.`);
    const childInputs = run.inputs.inputs ?? {};
    if (typeof childInputs !== 'object' || childInputs === null || Array.isArray(childInputs)) return fail(EngineErrorCode.NODE_FAILED, `Node "${node.id}" (agent.run) needs its \`inputs\` to be an object of the child agent's input names and values.`);
    this.handle(this.scheduler.suspend(run.id, { kind: 'child_execution' }));
    const version = typeof run.inputs.version === 'number' ? run.inputs.version : undefined;
    const result = await this.options.runChild({ agent, ...(version !== undefined ? { version } : {}), inputs: childInputs as Record<string, unknown>, depth, parent_execution_id: this.executionId, parent_node_id: node.id, signal });
    if (signal.aborted) throw signal.reason;
    if (result.status !== 'COMPLETED') {
      const why = result.error ? `: ${result.error.code}: ${result.error.message}` : '';
      return fail(EngineErrorCode.CHILD_FAILED, `Agent "${agent}" (run by node "${node.id}") ${result.status === 'CANCELLED' ? 'was cancelled' : 'failed'}${why}`);
    }
    const yields: NodeYield[] = [];
    for (const [name, values] of Object.entries(result.outputs)) for (const value of values) yields.push([name, value]);
    yields.push(['outputs', result.outputs]);
    for (const [pin, value] of yields) {
      const problem = checkValue(node.id, pin, value, this.maxValueBytes(), this.options.maxJsonDepth);
      if (problem) return { ok: false, error: problem };
    }
    return { ok: true, yields };
  }

  private nodeLogger(nodeId: string): Logger {
    let logger = this.nodeLoggers.get(nodeId);
    if (!logger) this.nodeLoggers.set(nodeId, (logger = this.logger.child({ execution_id: this.executionId, node_id: nodeId })));
    return logger;
  }

  private maxValueBytes(): number {
    return this.options.maxValueBytes ?? DEFAULTS.maxValueBytes;
  }

  private report(run: NodeRun): void {
    const track = this.track(run.id);
    if (run.status === NodeRunStatus.RUNNING && track.started < 0) track.started = this.timers.now();
    if ((run.status === NodeRunStatus.COMPLETED || run.status === NodeRunStatus.FAILED || run.status === NodeRunStatus.CANCELLED) && track.ended < 0) track.ended = this.timers.now();
    if (this.options.onEvent) this.options.onEvent({ type: 'node', node_execution: this.toReport(run) });
  }

  private toReport(run: NodeRun): NodeExecutionReport {
    const track = this.tracks.get(run.id);
    return {
      id: run.id,
      node_id: run.node,
      block: run.block,
      status: run.status,
      inputs: run.inputs,
      outputs: run.outputs,
      error: run.error,
      attempts: track?.attempts.map((a): AttemptReport => ({ attempt: a.attempt, started_at: iso(a.started)!, ended_at: iso(a.ended), error: a.error })) ?? [],
      started_at: iso(track?.started ?? -1),
      ended_at: iso(track?.ended ?? -1),
    };
  }

  private track(runId: string): Track {
    let track = this.tracks.get(runId);
    if (!track) this.tracks.set(runId, (track = { started: -1, ended: -1, attempts: [] }));
    return track;
  }
}

interface TrackedAttempt {
  attempt: number;
  started: number;
  ended: number;
  error: NodeError | null;
}

interface Track {
  started: number;
  ended: number;
  attempts: TrackedAttempt[];
}

function iso(ms: number): string | null {
  return ms < 0 ? null : new Date(ms).toISOString();
}

function fail(code: string, message: string): AttemptOutcome {
  return { ok: false, error: { code, message } satisfies NodeError };
}

/** A mocked node yields its pins in the mock's key order; a mocked `error` pin fails it. */
function mockOutcome(mock: Record<string, unknown>): AttemptOutcome {
  if (Object.prototype.hasOwnProperty.call(mock, 'error')) return { ok: false, error: toNodeError(mock.error) };
  return { ok: true, yields: Object.entries(mock) };
}
