// Node attempts of one durable execution: each started run gets an AbortController and goes through the
// engine's attempt driver (engine/node-attempt.ts) with this worker's ports (credit charge, credential
// resolver, outbound HTTP). Outcomes and suspensions come back as events posted to the step journal; the
// attempt records (attempts, cost) live in the run extras that are written with the rows.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlockCallCharge, BlockHttpClient, BlockRuntimeSettings } from '../../blocks/block.types.js';
import type { CredentialResolver } from '../../blocks/credential-resolver.js';
import { noAgentNamed } from '../../agent-format/agent.problems.js';
import type { AttemptOutcome, BlockAttemptFn } from '../engine/block-attempt.js';
import { EngineError, EngineErrorCode, toNodeError, type NodeError } from '../engine/engine.errors.js';
import { NodeRunStatus, type NodeRun, type Step, type WaitReason } from '../engine/engine.types.js';
import type { CompiledGraph, CompiledNode } from '../engine/graph.compiler.js';
import { needsCredentials, runNodeAttempt, type AttemptPorts, type AttemptSetting } from '../engine/node-attempt.js';
import type { ExecutionScheduler } from '../engine/scheduler.js';
import { isSuspension, type Suspension } from '../engine/suspensions.js';
import type { Timers } from '../engine/timers.js';
import type { ExecutionChargeHook } from '../execution.hooks.js';
import { attemptSecrets } from '../attempt-secrets.js';
import { fileTrustedFields } from '../file-trust.js';
import type { NewChildExecution } from '../admission/admission.types.js';
import type { ClaimedExecution } from './execution-store.repository.js';
import type { RunExtras } from '../node-run-rows.js';
import type { OutsideWaits, WaitOwner } from '../outside-waits.types.js';
import { openToolWaits, waitOwner, type ToolApprovals } from './tool-approvals.js';
import type { ToolChildren } from './tool-children.js';
import { lazyChild } from './lazy-logger.js';

/** Streaming yields a block may make before earlier ones are written (they are written in groups). */
export const STREAM_WINDOW = 512;

/** What attempts need from the worker. */
export interface AttemptDeps {
  runBlock: BlockAttemptFn;
  timers: Timers;
  resolver: CredentialResolver;
  charge: ExecutionChargeHook;
  http(signal: AbortSignal): BlockHttpClient;
  settings: BlockRuntimeSettings;
  /** The child's version, or null when it does not exist or `userId` may not start it (graph-access.ts). */
  childVersion(graphId: string, version: number | null, userId: string): Promise<number | null>;
  attemptEnded(block: string, ok: boolean, seconds: number): void;
  /** Reviews and event waits (null: this worker cannot open them, the node fails). */
  outside: OutsideWaits | null;
  /** The reviews and child executions ai.agent attempts asked for (require_approval tools, agent tools). */
  approvals: ToolApprovals | null;
  toolChildren: ToolChildren | null;
}

/** What attempts need from their runner. */
export interface AttemptHost {
  readonly scheduler: ExecutionScheduler;
  readonly ended: boolean;
  post(event: () => Step): Promise<void>;
  /** Credits charged for an attempt: added to the execution's cost. */
  charged(amount: number): void;
  /** A delay, review or event wait is WAITING now: arm its timer. */
  armDelay(run: NodeRun): void;
  /** Something outside may have ended a wait: look. */
  poke(): void;
}

export class NodeAttempts {
  private readonly controllers = new Map<string, AbortController>();
  private readonly children: NewChildExecution[] = [];
  private readonly ports: AttemptPorts;

  constructor(
    private readonly host: AttemptHost,
    private readonly execution: ClaimedExecution,
    private readonly graph: CompiledGraph,
    private readonly extras: RunExtras,
    private readonly setting: AttemptSetting,
    private readonly deps: AttemptDeps,
    logger: Logger,
  ) {
    this.ports = {
      runBlock: deps.runBlock,
      timers: deps.timers,
      charge: async (run, node) => void (await this.charge(run, node.blockId, run.inputs)),
      chargeCall: (run, call) => this.charge(run, call.block, call.inputs, call),
      credentials: (_run, node) => this.credentials(node),
      logger: (nodeId) => lazyChild(logger, { node_id: nodeId }),
      http: (signal) => deps.http(signal),
      settings: deps.settings,
      secrets: attemptSecrets,
    };
  }

  /** Attempts in flight (a suspended one is not). */
  get running(): number {
    return this.controllers.size;
  }

  /** Child executions to insert with the next step (taken once). */
  takeChildren(): NewChildExecution[] {
    return this.children.splice(0);
  }

  /** Records the start of `run`'s attempt (written with the step that started it). */
  begin(run: NodeRun, now: number): void {
    let attempts = this.extras.attempts.get(run.id);
    if (!attempts) this.extras.attempts.set(run.id, (attempts = []));
    attempts.push({ attempt: run.attempt, started_at: new Date(now).toISOString(), ended_at: null, error: null });
    this.extras.resumeAt.delete(run.id);
  }

  /** Records the end of `runId`'s open attempt. */
  end(runId: string, error: NodeError | null): void {
    const attempts = this.extras.attempts.get(runId);
    const last = attempts?.[attempts.length - 1];
    if (last && last.ended_at === null) {
      last.ended_at = new Date().toISOString();
      last.error = error;
    }
  }

  /** Starts `run`'s attempt (after the step that started it is written). */
  launch(run: NodeRun): void {
    const controller = new AbortController();
    this.controllers.set(run.id, controller);
    const started = Date.now();
    const node = this.graph.nodes.get(run.node)!;
    runNodeAttempt(this.ports, this.setting, run, node, controller, node.streaming ? this.streamYields(run.id) : undefined)
      .then((outcome) => (isSuspension(outcome) ? this.suspend(run, node, outcome) : this.toolWait(run, node, outcome)))
      .catch((error: unknown): AttemptOutcome => ({ ok: false, error: toNodeError(error) }))
      .then((outcome) => {
        if (outcome === 'suspended') return;
        this.controllers.delete(run.id);
        if (this.host.ended) return;
        this.deps.attemptEnded(node.blockId, outcome.ok, (Date.now() - started) / 1000);
        void this.host.post(() => {
          this.end(run.id, outcome.ok ? null : outcome.error);
          return outcome.ok ? this.host.scheduler.attemptSucceeded(run.id, outcome.yields) : this.host.scheduler.attemptFailed(run.id, outcome.error);
        });
      });
  }

  abort(runId: string, reason: string): void {
    this.controllers.get(runId)?.abort(new EngineError(EngineErrorCode.CANCELLED, reason));
  }

  abortAll(reason: string): void {
    for (const controller of this.controllers.values()) controller.abort(new EngineError(EngineErrorCode.CANCELLED, reason));
    this.controllers.clear();
  }

  /** Charges the attempt (no `call`) or a call inside it; what is charged now adds to the node's and the execution's cost. */
  private async charge(run: NodeRun, blockId: string, inputs: Record<string, unknown>, call?: BlockCallCharge): Promise<number> {
    const execution = this.execution;
    const key = call ? { call: { key: call.key, reason: call.reason } } : {};
    const base = { executionId: execution.id, nodeExecutionId: run.id, attempt: run.attempt, userId: execution.user_id };
    const charged = await this.deps.charge.charge({ ...base, blockId, inputs, ...key });
    if (charged.amount > 0) {
      this.extras.cost.set(run.id, (this.extras.cost.get(run.id) ?? 0) + charged.amount);
      this.host.charged(charged.amount);
    }
    return charged.cost ?? charged.amount;
  }

  private async credentials(node: CompiledNode): Promise<Awaited<ReturnType<AttemptPorts['credentials']>>> {
    // An integration's block is checked against its `allow` with the credentials (credential-resolver.ts).
    if (!needsCredentials(node) && node.block.allow === undefined) return { credentials: {} };
    const execution = this.execution;
    const overrides = execution.credentials[node.id] as Record<string, string> | undefined;
    const names = { ...(node.definition.credentials ?? {}), ...(overrides ?? {}) };
    const fromFile = execution.file_trust === true;
    const fileTrusted = fileTrustedFields(fromFile, Object.keys(node.block.credentials ?? {}), overrides);
    const resolved = await this.deps.resolver.resolve({ block: node.block, names, userId: execution.user_id, fileTrusted, fromFile });
    if (resolved.problems.length > 0) {
      return {
        error: {
          code: EngineErrorCode.CREDENTIAL_UNRESOLVED,
          message: `Node "${node.id}" (${node.blockId}) cannot run: ${resolved.problems.map((p) => p.message).join('; ')}`,
        },
      };
    }
    return { credentials: resolved.credentials, ...(resolved.systemDefaults ? { systemDefaults: resolved.systemDefaults } : {}) };
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
      const written = this.host.post(() => this.host.scheduler.streamYield(runId, n, pin, value)).then(() => void unwritten--);
      return unwritten >= STREAM_WINDOW ? written : undefined;
    };
  }

  /**
   * A suspension durably: WAITING without a slot. A delay keeps a due time (a timer here, or a delayed
   * dispatch once parked); a child execution is written with the parent's WAITING row, dispatched once written.
   */
  private async suspend(run: NodeRun, node: CompiledNode, suspension: Suspension): Promise<AttemptOutcome | 'suspended'> {
    const { due, child } = suspension;
    if (suspension.review || suspension.event) return this.suspendOutside(run, node, suspension);
    if (due) {
      void this.waitTimed(run, suspension.reason, this.deps.timers.now() + due.delay_ms);
      return 'suspended';
    }
    const execution = this.execution;
    const version = await this.deps.childVersion(child!.agent, child!.version, execution.user_id);
    // Another user's graph and a missing one get the same answer (tenant isolation).
    if (version === null)
      return {
        ok: false,
        error: {
          code: EngineErrorCode.NODE_FAILED,
          message: `Node "${node.id}" (agent.run): ${noAgentNamed(child!.agent)}${child!.version ? ` with version ${child!.version}` : ''} that this execution may run. Fix the name, or sync the agent; an agent may call agent files and its user's own API graphs.`,
        },
      };
    const id = randomUUID();
    this.controllers.delete(run.id);
    void this.host.post(() => {
      const step = this.host.scheduler.suspend(run.id, { kind: 'child_execution', execution_id: id });
      if (run.status === NodeRunStatus.WAITING) {
        this.children.push({
          id,
          graph_id: child!.agent,
          graph_version: version,
          user_id: execution.user_id,
          parent_id: execution.id,
          parent_node_execution_id: run.id,
          depth: child!.depth,
          inputs: child!.inputs,
        });
      }
      return step;
    });
    return 'suspended';
  }

  /**
   * A review or an event wait: opened in its table first (keyed by this node execution, so a re-run after a
   * crash finds the same one), then the node is WAITING with the timeout as its due time.
   */
  private async suspendOutside(run: NodeRun, node: CompiledNode, suspension: Suspension): Promise<AttemptOutcome | 'suspended'> {
    const port = this.deps.outside;
    if (!port)
      return {
        ok: false,
        error: {
          code: EngineErrorCode.NODE_FAILED,
          message: `Node "${node.id}" (${node.blockId}) cannot wait here: this worker keeps no reviews or event waits.`,
        },
      };
    const owner = this.owner(run, node);
    let reason = suspension.reason;
    let dueAt = this.deps.timers.now() + (suspension.review?.timeout_ms ?? suspension.event?.timeout_ms ?? 0);
    if (suspension.review) {
      const opened = await port.openReview(owner, suspension.review);
      if ('error' in opened) return { ok: false, error: opened.error };
      reason = { kind: 'review', review_id: opened.id, delay_ms: suspension.review.timeout_ms };
      dueAt = new Date(opened.expires_at).getTime();
    }
    await this.waitTimed(run, reason, dueAt);
    // The WAITING row is written: an event buffered before it is consumed now (an event posted later finds the row).
    if (suspension.event && run.status === NodeRunStatus.WAITING) await port.openEventWait(owner, suspension.event);
    this.host.poke();
    return 'suspended';
  }

  /** An ai.agent attempt that asked for reviews or children (not stopped or timed out): the node waits on them (reason `tool`). */
  private async toolWait(run: NodeRun, node: CompiledNode, outcome: AttemptOutcome): Promise<AttemptOutcome | 'suspended'> {
    const waits = { reviews: this.deps.approvals?.take(run.id) ?? [], children: this.deps.toolChildren?.take(run.id) ?? [] };
    if ((!waits.reviews.length && !waits.children.length) || outcome.ok || outcome.error.code !== EngineErrorCode.NODE_FAILED) return outcome;
    const opened = await openToolWaits(this.deps, this.owner(run, node), run, node, waits, this.setting.suspension);
    if ('error' in opened) return { ok: false, error: opened.error };
    await this.waitTimed(run, opened.reason, opened.dueAt, opened.children);
    this.host.poke();
    return 'suspended';
  }

  /** The node is WAITING (no slot), its children written with that row; with a due time, its timer is armed. */
  private async waitTimed(run: NodeRun, reason: WaitReason, dueAt: number | null, children: NewChildExecution[] = []): Promise<void> {
    this.controllers.delete(run.id);
    await this.host.post(() => {
      if (dueAt !== null) this.extras.resumeAt.set(run.id, dueAt);
      const step = this.host.scheduler.suspend(run.id, reason);
      if (run.status === NodeRunStatus.WAITING) {
        this.children.push(...children);
        if (dueAt !== null) queueMicrotask(() => this.host.armDelay(run));
      }
      return step;
    });
  }

  private owner(run: NodeRun, node: CompiledNode): WaitOwner {
    return waitOwner(this.execution, run.id, node.id);
  }
}
