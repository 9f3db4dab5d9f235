// Runs a whole graph in-process on the scheduling core: `trellis test` (no network, no database),
// `trellis run`, and single runs. It owns what the core leaves to a shell: calling blocks (through an
// injected attempt function), max_parallel slots, timeouts, retry backoffs, delays, child executions,
// cancellation and the per-node events. Nothing is persisted; the durable worker is another shell.
import type { BlockContext, BlockHttpClient } from '../../blocks/block.types.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';
import type { AttemptOutcome } from './block-attempt.js';
import { EngineError, EngineErrorCode, executionTimeout, toNodeError, type NodeError } from './engine.errors.js';
import { NodeRunStatus, isFinalRunStatus, recordFieldsOfRun, type NodeRun, type Step } from './engine.types.js';
import { compileGraph, type CompiledGraph, type CompiledNode } from './graph.compiler.js';
import { checkRunRequest } from './memory-runner.checks.js';
import type { AttemptReport, FinalStatus, MemoryRunOptions, MemoryRunPorts, MemoryRunResult, NodeExecutionReport } from './memory-runner.types.js';
import { ExecutionScheduler } from './scheduler.js';
import { runNodeAttempt, type AttemptPorts, type AttemptSetting } from './node-attempt.js';
import { childOutcome, isSuspension, type Suspension } from './suspensions.js';
import type { Timers } from './timers.js';
import { eventOutcome, reviewOutcome } from './wait-suspensions.js';

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
  fetch: (url) =>
    Promise.reject(
      new Error(`This run has no network: a request to ${String(url)} was refused. Mock the node in the agent test, or run it with \`trellis run\`.`),
    ),
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
  private readonly ports: AttemptPorts;
  private readonly setting: AttemptSetting;

  constructor(
    private readonly graph: CompiledGraph,
    private readonly options: MemoryRunOptions & MemoryRunPorts,
  ) {
    this.timers = options.timers ?? options.clock;
    this.executionId = options.executionId ?? options.newExecutionId();
    this.logger = options.logger;
    this.scheduler = new ExecutionScheduler(graph, {
      maxParallel: graph.definition.max_parallel ?? options.maxParallel ?? DEFAULTS.maxParallel,
      maxNodeExecutions: options.maxNodeExecutions ?? DEFAULTS.maxNodeExecutions,
    });
    this.ports = {
      runBlock: options.runAttempt,
      timers: this.timers,
      credentials: (_run, node) => ({
        credentials: options.resolveCredentials?.(node.id, node.definition.credentials ?? {}) ?? {},
        ...(options.systemDefaults ? { systemDefaults: options.systemDefaults } : {}),
      }),
      logger: (nodeId) => this.nodeLogger(nodeId),
      http: () => options.http ?? refuseHttp,
      settings: options.settings ?? { allowPrivateAddresses: false, maxResponseBytes: 10 * 1024 * 1024 },
      secrets: options.secrets,
    };
    this.setting = {
      executionId: this.executionId,
      userId: options.userId ?? 'local',
      nodeTimeoutMs: options.nodeTimeoutMs ?? DEFAULTS.nodeTimeoutMs,
      maxValueBytes: this.maxValueBytes(),
      maxJsonDepth: options.maxJsonDepth,
      suspension: { depth: options.depth ?? 0, maxDepth: options.maxDepth ?? DEFAULTS.maxDepth, canStartChildren: options.runChild !== undefined },
    };
  }

  start(): Promise<MemoryRunResult> {
    const finished = new Promise<MemoryRunResult>((resolve) => (this.resolve = resolve));
    const timeout = this.graph.definition.timeout ?? this.options.executionTimeoutMs ?? DEFAULTS.executionTimeoutMs;
    this.timers.sleep(timeout, this.done.signal).then(
      () => this.handle(this.scheduler.fail(executionTimeout(timeout))),
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
    for (const id of step.abort)
      this.controllers.get(id)?.abort(new EngineError(EngineErrorCode.CANCELLED, 'The execution stopped, so this node was stopped too.'));
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
    const mock = this.options.mocks?.[node.id];
    if (mock) return mockOutcome(mock);
    let seq = 0;
    const onYield = node.streaming ? (pin: string, value: unknown) => this.handle(this.scheduler.streamYield(run.id, ++seq, pin, value)) : undefined;
    const outcome = await runNodeAttempt(this.ports, this.setting, run, node, controller, onYield);
    return isSuspension(outcome) ? this.wait(run, node, outcome, controller.signal) : outcome;
  }

  /** A suspension in-process: WAITING (no slot) until the delay passes or the child (through the injected runner) ends. */
  private async wait(run: NodeRun, node: CompiledNode, suspension: Suspension, signal: AbortSignal): Promise<AttemptOutcome> {
    if (suspension.review || suspension.event) return this.outsideWait(run, node, suspension);
    this.handle(this.scheduler.suspend(run.id, suspension.reason));
    if (suspension.due) {
      await this.timers.sleep(suspension.due.delay_ms, signal);
      return { ok: true, yields: suspension.due.yields };
    }
    const child = suspension.child!;
    const result = await this.options.runChild!({
      agent: child.agent,
      ...(child.version !== null ? { version: child.version } : {}),
      inputs: child.inputs,
      depth: child.depth,
      parent_execution_id: this.executionId,
      parent_node_id: node.id,
      signal,
    });
    if (signal.aborted) throw signal.reason;
    return childOutcome(node.id, child.agent, result, { maxValueBytes: this.maxValueBytes(), maxJsonDepth: this.options.maxJsonDepth });
  }

  /** A review or event wait ended by the script (agent tests), or the node fails saying it needs one. */
  private outsideWait(run: NodeRun, node: CompiledNode, suspension: Suspension): AttemptOutcome {
    const outside = this.options.outside;
    const failed = (message: string): AttemptOutcome => ({ ok: false, error: { code: 'NODE_FAILED', message } });
    if (!outside)
      return failed(
        `Node "${node.id}" (${node.blockId}) waits for ${suspension.review ? 'a person to decide a review' : 'an event'}, which only a run on a server can do. Script it in the agent test (${suspension.review ? 'decisions:' : 'events:'}), mock the node, or run the agent on a server.`,
      );
    this.handle(this.scheduler.suspend(run.id, suspension.reason));
    if (suspension.review) {
      const end = outside.review(node.id, suspension.review);
      return typeof end === 'string' ? failed(end) : reviewOutcome(node.id, end);
    }
    const end = outside.event(node.id, suspension.event!);
    return typeof end === 'string' ? failed(end) : eventOutcome(node.id, suspension.event!.key, end, suspension.event!.on_timeout);
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
    if (isFinalRunStatus(run.status) && track.ended < 0) track.ended = this.timers.now();
    if (this.options.onEvent) this.options.onEvent({ type: 'node', node_execution: this.toReport(run) });
  }

  private toReport(run: NodeRun): NodeExecutionReport {
    const track = this.tracks.get(run.id);
    return {
      ...recordFieldsOfRun(run),
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

/** A mocked node yields its pins in the mock's key order; a mocked `error` pin fails it. */
function mockOutcome(mock: Record<string, unknown>): AttemptOutcome {
  if (Object.prototype.hasOwnProperty.call(mock, 'error')) return { ok: false, error: toNodeError(mock.error) };
  return { ok: true, yields: Object.entries(mock) };
}
