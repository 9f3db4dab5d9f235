// The worker role: takes "look at execution X" from the dispatcher, claims X under a lease, and drives it with an ExecutionRunner, up to
// executor.concurrency executions at once. New executions of this process come straight from the API (LocalHandoff) while it has room, those
// of instant graphs already claimed by their INSERT (admission-claim.ts); claims of one turn go out as one UPDATE. Held leases are renewed in one UPDATE on a timer (which also notices executions stopped elsewhere within a
// second), but not one taken half a tick ago. On shutdown: no new work, running nodes finish within executor.shutdown_grace, then leases go back.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlockLookup } from '../../blocks/block.types.js';
import { effectiveVars } from '../../agent-format/agent.vars.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { VarOverrideFile } from '../../config/vars.loader.js';
import { withAgentTools } from '../../blocks/agent-tools.runner.js';
import { ToolApprovals } from './tool-approvals.js';
import { toolPortDeps } from './tool-trust.js';
import { inputNames, ToolChildren } from './tool-children.js';
import { runValidatedBlock } from '../../blocks/validated-run.js';
import type { ExecutionAdmission } from '../admission/execution-admission.service.js';
import type { CompiledGraphs } from '../compiled-graphs.js';
import type { BlockAttemptFn } from '../engine/block-attempt.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import { compileExpressions, isReplayed, withExpressions, type ExpressionSite } from '../node-expressions.js';
import type { ExecutionDispatcher } from '../queue/execution-dispatcher.js';
import { TickBatcher } from '../tick-batcher.js';
import type { ClaimedExecution, ExecutionStoreRepository } from './execution-store.repository.js';
import { ExecutionRunner, type RunnerDeps } from './execution-runner.js';
import { StepWriter } from './step-writer.js';
import { replayBookOf } from './run-start.js';
import { AdmissionClaims } from './admission-claim.js';
import type { LocalClaim } from '../admission/admission.types.js';

/** Handed-over executions waiting for a slot, in multiples of `concurrency`: each saves a queue job (add, fetch, complete: three Redis scripts);
 * the bound keeps the last one's wait well under the sweep's 3 s at this worker's rate, and leaves the rest to the queue (and other workers). */
const HANDOFF_DEPTH = 4;

export type WorkerDeps = Omit<RunnerDeps, 'write' | 'childResults' | 'childVersion' | 'dispatch'>;

/** Compiled graph versions (compiled-graphs.ts), the admission of child executions (admission/) and the block catalogue. */
export interface WorkerSources {
  graphs: Pick<CompiledGraphs, 'get' | 'peek'>;
  admission: Pick<ExecutionAdmission, 'children' | 'childVersion'>;
  /** The block catalogue: which pins of a node take `${{ }}` expressions. */
  blocks: BlockLookup;
}

export class ExecutionWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly runners = new Map<string, ExecutionRunner>();
  /** graph@version -> the vars its executions start with (config is read once per process), and its expressions. */
  private readonly versions = new Map<string, { vars: Record<string, unknown>; expressions: Map<string, ExpressionSite[]> }>();
  private readonly writer: StepWriter;
  readonly admissionClaims: AdmissionClaims;
  private readonly slotWaiters: Array<() => void> = [];
  private renewTimer: NodeJS.Timeout | null = null;
  /** When each held execution's lease was taken or last renewed (short executions end unrenewed), and the renewal tick. */
  private readonly leasedAt = new Map<string, number>();
  private renewEvery = 1_000;
  /** The reviews ai.agent attempts ask for (require_approval tools), shared by this worker's runners. */
  private readonly approvals: ToolApprovals;
  /** The child executions ai.agent attempts start (agent tools), shared by this worker's runners. */
  private readonly children: ToolChildren;
  private stopping = false;
  /** Slots reserved by claims in flight (so concurrent offers never overfill the worker). */
  private claiming = 0;
  /** Handed-over executions not yet claimed (waiting for a slot): at most HANDOFF_DEPTH x `concurrency`, the rest go through the queue. */
  private readonly handedOver = new Set<string>();
  /** Claims asked for in the same turn of the event loop go out as one statement. */
  private readonly claims = new TickBatcher<string, ClaimedExecution>(async (ids) => {
    const claimed = await this.store.claimMany(ids, this.owner, this.config.lease, this.config.execution_timeout);
    return new Map(claimed.map((row) => [row.id, row]));
  });

  constructor(
    private readonly config: AppConfig['executor'] & { max_json_depth?: number; var_overrides?: readonly VarOverrideFile[] },
    private readonly store: ExecutionStoreRepository,
    private readonly dispatcher: ExecutionDispatcher,
    private readonly sources: WorkerSources,
    private readonly deps: WorkerDeps,
    private readonly logger: Logger,
  ) {
    this.writer = new StepWriter(store, this.owner, (children, manager) => sources.admission.children(children, manager));
    this.approvals = new ToolApprovals(deps.outside ?? null);
    const lease = { owner: this.owner, leaseMs: config.lease, timeoutMs: config.execution_timeout };
    this.admissionClaims = new AdmissionClaims(deps.runsEarly, lease, config.concurrency * HANDOFF_DEPTH);
    this.children = new ToolChildren({
      childVersion: (graphId, version, userId) => sources.admission.childVersion(graphId, version, userId),
      inputsOf: async (graphId, version) => inputNames(await this.graph(graphId, version)),
      childResults: (ids) => store.childResults(ids),
    });
  }

  get held(): number {
    return this.runners.size;
  }

  async start(): Promise<void> {
    this.renewEvery = Math.max(50, Math.min(1_000, Math.floor(this.config.lease / 3)));
    this.renewTimer = setInterval(() => void this.renew(), this.renewEvery);
    await this.dispatcher.consume((id) => this.offer(id), this.config.concurrency);
    this.logger.info({ owner: this.owner, concurrency: this.config.concurrency, dispatch: this.dispatcher.mode }, 'execution worker started');
  }

  /**
   * A new execution handed over in this process (LocalHandoff): claimed once a slot is free, in turn with
   * queue jobs. Refused (false: it goes through the queue) when HANDOFF_DEPTH x `concurrency` handovers already wait, or
   * while stopping. A claim that fails is dispatched through the queue.
   */
  take(id: string): boolean {
    if (this.stopping || this.runners.has(id)) return false;
    if (this.handedOver.has(id)) return true;
    if (this.handedOver.size >= this.config.concurrency * HANDOFF_DEPTH) return false;
    this.handedOver.add(id);
    this.runWhenRoom(id).then(
      () => this.handedOver.delete(id),
      (error: unknown) => {
        this.handedOver.delete(id);
        this.logger.warn({ err: error, execution_id: id }, 'could not claim a handed-over execution; dispatching it through the queue');
        void this.dispatcher.dispatch(id).catch(() => undefined);
      },
    );
    return true;
  }

  /**
   * Looks at execution `id` (a queue delivery): claims and runs it when there is room; settles once taken or
   * dropped. One already handed over here waits for its slot once (the sweep may dispatch it meanwhile).
   */
  async offer(id: string): Promise<void> {
    if (this.handedOver.has(id)) return;
    return this.runWhenRoom(id);
  }

  private async runWhenRoom(id: string): Promise<void> {
    const held = this.runners.get(id);
    if (held) {
      held.poke();
      return;
    }
    while (!this.stopping && this.runners.size + this.claiming >= this.config.concurrency) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.stopping || this.runners.has(id)) return;
    this.claiming++;
    await this.claimAndRun(id);
  }

  /** A claim at admission (admission-claim.ts): its execution runs once its row is written; null: it does not qualify, or too many are held. */
  claimAtAdmission(graph: CompiledGraph): LocalClaim | null {
    if (this.stopping) return null;
    return this.admissionClaims.claim(graph, async (claimed) => {
      if (this.stopping) return this.giveBack([claimed.id]); // its row committed while this worker stops
      await this.run(claimed);
      return this.runners.get(claimed.id)?.end;
    });
  }

  /** Claims and starts `id` within a slot reserved by `claiming` (released here). */
  private async claimAndRun(id: string): Promise<void> {
    try {
      const claimed = (await this.claims.get(id)) ?? (await this.store.claimLimited(id, this.owner, this.config.lease, this.config.execution_timeout));
      if (claimed) await this.run(claimed);
    } finally {
      this.claiming--;
      if (!this.runners.has(id)) this.slotWaiters.shift()?.();
    }
  }

  private async run(claimed: ClaimedExecution): Promise<void> {
    const id = claimed.id;
    try {
      const graph = await this.graph(claimed.graph_id, claimed.graph_version);
      claimed.vars = await this.varsOf(claimed, graph);
      if (claimed.retry_of) claimed.replay = await replayBookOf(claimed, graph, this.store, this.sources.graphs);
      const runBlock = this.blockRunner(claimed, graph, (await this.version(claimed, graph)).expressions);
      const stored = claimed.fresh ? [] : await this.store.runs(id);
      const runner = new ExecutionRunner(
        claimed,
        graph,
        stored,
        {
          maxParallel: this.config.max_parallel,
          nodeTimeoutMs: this.config.node_timeout,
          maxNodeExecutions: this.config.max_node_executions,
          maxValueBytes: this.config.max_value_bytes,
          maxDepth: this.config.max_depth,
          maxJsonDepth: this.config.max_json_depth,
          maxResumes: this.config.max_resumes,
        },
        {
          ...this.deps,
          runBlock,
          toolApprovals: this.approvals,
          toolChildren: this.children,
          write: (write) => this.writer.write(write),
          childResults: (ids) => this.store.childResults(ids),
          childVersion: (graphId, version, userId) => this.sources.admission.childVersion(graphId, version, userId),
          dispatch: (executionId, delayMs) =>
            void this.dispatcher
              .dispatch(executionId, delayMs)
              .catch((error: unknown) => this.logger.warn({ err: error, execution_id: executionId }, 'dispatch failed; the sweep dispatches it again')),
        },
      );
      this.runners.set(id, runner);
      this.leasedAt.set(id, Date.now());
      void runner.start().then((end) => {
        this.runners.delete(id);
        this.leasedAt.delete(id);
        this.slotWaiters.shift()?.();
        this.logger.debug({ execution_id: id, end }, 'runner ended');
      });
    } catch (error) {
      this.logger.error({ err: error, execution_id: id }, 'could not start the execution; its lease lapses and it is tried again');
    }
  }

  /** Stops held runners whose execution was stopped elsewhere (a CANCELLED event). */
  stopped(executionId: string): void {
    this.runners.get(executionId)?.lost();
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const waiter of this.slotWaiters.splice(0)) waiter();
    await this.dispatcher.stopConsuming().catch(() => undefined);
    const runners = [...this.runners.values()];
    for (const runner of runners) runner.drain();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(runners.map((r) => r.end)), new Promise((resolve) => (timer = setTimeout(resolve, this.config.shutdown_grace)))]);
    clearTimeout(timer);
    for (const runner of this.runners.values()) runner.lost();
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.giveBack(runners.map((r) => r.id));
  }

  /** Gives leases back and dispatches the executions: another worker may claim them at once. */
  private async giveBack(ids: string[]): Promise<void> {
    await this.store
      .release(this.owner, ids)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not give leases back; they lapse on their own'));
    for (const id of ids) await this.dispatcher.dispatch(id).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    const now = Date.now();
    const ids = [...this.runners.keys()].filter((id) => now - (this.leasedAt.get(id) ?? 0) >= this.renewEvery / 2);
    if (ids.length === 0) return;
    try {
      const kept = new Set(await this.store.renew(this.owner, ids, this.config.lease));
      for (const id of kept) if (this.leasedAt.has(id)) this.leasedAt.set(id, now);
      for (const id of ids) if (!kept.has(id)) this.runners.get(id)?.lost();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not renew leases (database unreachable?)');
    }
  }

  /**
   * The execution's vars snapshot: the recorded one, else the effective vars of its version, recorded now
   * (once, on its first claim; nothing is written for agents without vars).
   */
  private async varsOf(claimed: ClaimedExecution, graph: CompiledGraph): Promise<Record<string, unknown>> {
    const { vars } = await this.version(claimed, graph);
    if (claimed.vars) return claimed.vars;
    return Object.keys(vars).length === 0 ? vars : this.store.snapshotVars(claimed.id, vars);
  }

  private async version(
    claimed: ClaimedExecution,
    graph: CompiledGraph,
  ): Promise<{ vars: Record<string, unknown>; expressions: Map<string, ExpressionSite[]> }> {
    const key = `${claimed.graph_id}@${claimed.graph_version}`;
    let known = this.versions.get(key);
    if (!known) {
      const facts = await this.store.versionFacts(claimed.graph_id, claimed.graph_version);
      known = {
        vars: effectiveVars(graph.definition, this.config.var_overrides ?? [], facts.file),
        expressions: facts.expressions ? compileExpressions(graph.definition, this.sources.blocks) : new Map(),
      };
      this.versions.set(key, known);
    }
    return known;
  }

  /** The block runner of one execution: its node constants' `${{ }}` evaluated against its vars, trigger and facts. */
  private blockRunner(claimed: ClaimedExecution, graph: CompiledGraph, expressions: Map<string, ExpressionSite[]>): BlockAttemptFn {
    const vars = claimed.vars ?? {};
    const run =
      this.deps.runBlock ??
      withAgentTools(runValidatedBlock, { ...this.deps, ...toolPortDeps(claimed, graph, this.approvals, this.children, this.deps.conversations) });
    const startedAt = claimed.started_at ? new Date(claimed.started_at).toISOString() : new Date().toISOString();
    const source = claimed.source ?? 'api';
    return withExpressions(run, expressions, {
      vars,
      execution: { id: claimed.id, source, started_at: startedAt, trigger_replayed: isReplayed(source, claimed.trigger_node) },
      trigger: claimed.trigger_node && claimed.trigger_event ? claimed.trigger_event : null,
    });
  }

  private async graph(graphId: string, version: number): Promise<CompiledGraph> {
    const graph = await this.sources.graphs.get(graphId, version);
    if (!graph) throw new Error(`graph ${graphId}@${version} has no stored version`);
    return graph;
  }
}
