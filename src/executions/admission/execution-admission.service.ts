// The one way an execution is admitted: the execute API and re-runs, webhooks, GitHub events, schedule
// fires and child executions all come here. Each rule lives once: who may run which graph and version
// (tenancy), file trust (file-trust.ts), presets, input and credential checks, the credit pre-check, the
// row itself (admission.repository.ts, in the caller's transaction when it writes rows of its own), and
// the hand-over to a worker once committed (this process's worker, or the durable queue).
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { CREDENTIAL_RESOLVER, type CredentialResolver } from '../../blocks/credential-resolver.js';
import { validationFailed, type Problem } from '../../common/errors.js';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { withStorableHeaders } from '../../common/stored-headers.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { maySeeGraph } from '../../graphs/graph-access.js';
import type { ExecutionSource } from '../execution.entity.js';
import { checkRunRequest } from '../execution-request.checks.js';
import { adminOnlyForFileAgent, graphNotFound, insufficientCredits } from '../executions.errors.js';
import type { ExecutionRow } from '../executions.repository.js';
import { admitsFileTrust } from '../file-trust.js';
import { ExecutionStatus } from '../engine/engine.types.js';
import type {
  AdmissionFacts,
  AdmissionQueue,
  AdmissionStore,
  AdmittedExecution,
  ClaimFacts,
  LocalClaim,
  NewChildExecution,
  ScheduledExecution,
  TriggeredExecution,
} from './admission.types.js';

export const ADMISSION_FACTS = Symbol('ADMISSION_FACTS');
export const ADMISSION_STORE = Symbol('ADMISSION_STORE');
export const ADMISSION_QUEUE = Symbol('ADMISSION_QUEUE');

/** An execute request (POST /api/graphs/{id}/execute), or the body a re-run repeats. */
export interface ExecuteBody {
  inputs?: Record<string, unknown>;
  credentials?: Record<string, Record<string, string>>;
  preset_id?: string;
  trigger?: { node: string; outputs: Record<string, unknown> };
}

export const NO_ROW: Omit<AdmittedExecution, 'id' | 'graph_id' | 'graph_version' | 'source' | 'user_id' | 'trust'> = {
  trigger_node: null,
  trigger_event: null,
  inputs: {},
  credentials: {},
  preset_id: null,
  rerun_of: null,
  retry_of: null,
  schedule_id: null,
  parent_id: null,
  parent_node_execution_id: null,
  depth: 0,
};

@Injectable()
export class ExecutionAdmission {
  /** Triggered executions claimed at admission (`triggered`), which `handOver` leaves to the worker that holds them. */
  private readonly startedHere = new WeakSet<object>();

  constructor(
    @Inject(ADMISSION_FACTS) private readonly facts: AdmissionFacts,
    @Inject(ADMISSION_STORE) private readonly store: AdmissionStore<ExecutionRow>,
    @Inject(ADMISSION_QUEUE) private readonly queue: AdmissionQueue,
    @Inject(CREDENTIAL_RESOLVER) private readonly resolver: CredentialResolver,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'credits'>,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The execute API (and re-runs, `source: 'rerun'`, and retries from the failure, `source: 'retry'`):
   * checked as the caller (404 for a graph they may not see, 403 for what only admins may do to a file agent,
   * 400 listing every problem of the request, 402 without credits), written QUEUED, then handed to a worker.
   * A retry is billed to, and its credentials resolved for, the retried execution's user (`retry.userId`).
   */
  async request(
    principal: Principal,
    graphId: string,
    version: number | undefined,
    body: ExecuteBody,
    source: ExecutionSource = 'api',
    rerunOf: string | null = null,
    retry: { of: string; userId: string } | null = null,
  ): Promise<ExecutionRow> {
    const userId = retry?.userId ?? principal.user.id;
    const graph = await this.facts.graph(graphId);
    const isAdmin = principal.role === 'admin';
    if (!graph || (!isAdmin && graph.source === 'api' && graph.created_by !== principal.user.id)) throw graphNotFound(graphId);
    if (version === undefined && !graph.active) throw graphNotFound(graphId);
    const runVersion = version ?? graph.active_version;
    const compiled = await this.facts.compiled(graphId, runVersion);
    if (!compiled) throw graphNotFound(graphId, runVersion);
    if (source === 'api' && !isAdmin && graph.source === 'file') refuseFileAgentRequest(graphId, body, runVersion !== graph.active_version);
    // An admin's run (or re-run) of a file agent's active version is admitted by file trust; nobody else's.
    const fileTrust = admitsFileTrust({ graph, version: runVersion, trustedStart: isAdmin });
    let inputs = body.inputs ?? {};
    let credentials = body.credentials ?? {};
    if (body.preset_id) {
      const preset = await this.facts.preset(body.preset_id, graphId);
      if (!preset || (!isAdmin && preset.user_id !== principal.user.id))
        throw validationFailed([
          { pointer: '/preset_id', message: `no preset "${body.preset_id}" of ${graphId} exists for you; list them with GET /api/graphs/${graphId}/presets` },
        ]);
      inputs = { ...preset.inputs, ...inputs };
      credentials = { ...(preset.credentials as Record<string, Record<string, string>>), ...credentials };
    }
    const problems = await checkRunRequest(compiled, { inputs, trigger: body.trigger ?? null, credentials }, this.resolver, userId, fileTrust);
    if (problems.length > 0) throw validationFailed(problems);
    if (this.config.credits.enabled) {
      const balance = await this.facts.balance(userId);
      if (balance !== null && balance <= 0) throw insufficientCredits(balance);
    }
    const admitted: AdmittedExecution = {
      ...NO_ROW,
      id: randomUUID(),
      graph_id: graphId,
      graph_version: runVersion,
      source,
      user_id: userId,
      trigger_node: body.trigger?.node ?? null,
      trigger_event: body.trigger ? withStorableHeaders(body.trigger.outputs) : null,
      inputs: body.trigger ? {} : inputs,
      credentials,
      preset_id: body.preset_id ?? null,
      rerun_of: rerunOf,
      retry_of: retry?.of ?? null,
      trust: fileTrust ? 'admitted' : 'none',
    };
    // An instant graph is claimed by its INSERT for this process's worker, which runs it at once; an agent with
    // `concurrency` keeps its FIFO through the queue; others go to a local worker when one has room.
    const claim = compiled.definition.concurrency === undefined ? this.queue.claimLocal(compiled) : null;
    let row: ExecutionRow & ClaimFacts;
    try {
      row = await this.store.insertOne(claim ? { ...admitted, ...claim.lease } : admitted);
    } catch (error) {
      claim?.cancel();
      throw error;
    }
    if (claim) {
      claim.start(admitted, row);
      // The answer is the execution as admitted (interfaces.md: 202, QUEUED); its worker starts it from here.
      return { ...row, status: ExecutionStatus.QUEUED, started_at: null };
    }
    if (compiled.definition.concurrency === undefined && this.queue.offerLocal(row.id)) return row;
    await this.enqueue([row.id]);
    return row;
  }

  /**
   * Executions of agents' own triggers (webhooks, GitHub events: the caller found the trigger node and
   * checked the request), in `manager`'s transaction when given. Answers their ids; `enqueue` them once committed.
   * Ids are the caller's (a delivery row names them before they are written).
   */
  async triggered(executions: readonly TriggeredExecution[], source: 'webhook' | 'github', manager?: EntityManager): Promise<string[]> {
    const rows = executions.map((execution): AdmittedExecution => ({ ...NO_ROW, ...execution, source, trust: 'own-trigger' }));
    // Claims at admission only in a statement of our own: a caller's transaction may still roll back after it.
    const claims = manager ? [] : await this.claimLocal(rows);
    let facts: ClaimFacts[];
    try {
      facts = await this.store.insertMany(claims.length ? rows.map((row, i) => (claims[i] ? { ...row, ...claims[i].lease } : row)) : rows, manager);
    } catch (error) {
      for (const claim of claims) claim?.cancel();
      throw error;
    }
    const factsOf = new Map(facts.map((f) => [f.id, f]));
    claims.forEach((claim, i) => {
      if (!claim) return;
      this.startedHere.add(executions[i]!);
      claim.start(rows[i]!, factsOf.get(rows[i]!.id)!);
    });
    return rows.map((row) => row.id);
  }

  /** Claims at admission for the rows of instant graphs while this process's worker has room (null: not claimed). */
  private async claimLocal(rows: readonly AdmittedExecution[]): Promise<Array<LocalClaim | null>> {
    const claims: Array<LocalClaim | null> = [];
    for (const row of rows) {
      const compiled = await this.facts.compiled(row.graph_id, row.graph_version);
      claims.push(compiled && compiled.definition.concurrency === undefined ? this.queue.claimLocal(compiled) : null);
    }
    return claims;
  }

  /**
   * The run an ad-hoc schedule will start, checked once when it is created as the execute API checks a
   * request (inputs only: no preset or trigger, the creator's own credentials). Null: `version` is gone.
   */
  async scheduleProblems(graphId: string, version: number, inputs: Record<string, unknown>, userId: string): Promise<Problem[] | null> {
    const compiled = await this.facts.compiled(graphId, version);
    if (!compiled) return null;
    return checkRunRequest(compiled, { inputs, trigger: null, credentials: {} }, this.resolver, userId);
  }

  /** One schedule fire, in the transaction that records the fire's key (so a fire time runs once). */
  async scheduled(fire: ScheduledExecution, manager?: EntityManager): Promise<string> {
    // A trigger.cron node is the agent's own trigger; an ad-hoc schedule is a user's, never file-trusted.
    await this.store.insertMany([{ ...NO_ROW, ...fire, source: 'schedule', trust: fire.trigger_node ? 'own-trigger' : 'none' }], manager);
    return fire.id;
  }

  /**
   * The version a child execution runs (`version` if stored, else the active one of an active graph), or
   * null when there is none or when `userId` (the parent execution's user, with the role they have now)
   * may not see the graph. Callers answer both nulls alike, so nothing tells another user's graph from a missing one.
   */
  async childVersion(graphId: string, version: number | null, userId: string): Promise<number | null> {
    const runnable = await this.facts.runnable(graphId, version);
    if (!runnable) return null;
    const role = await this.facts.role(userId);
    return maySeeGraph(runnable, { id: userId, role: role ?? 'none' }) ? runnable.version : null;
  }

  /** Child executions, written in the transaction of their parent's step (the caller dispatches them after it). */
  async children(children: readonly NewChildExecution[], manager: EntityManager): Promise<void> {
    await this.store.insertMany(
      children.map((child) => ({ ...NO_ROW, ...child, source: 'agent', trust: 'child' })),
      manager,
    );
  }

  /**
   * After the commit of triggered executions: this process's worker takes each it has room for (an agent
   * without `concurrency`, whose FIFO only the queue keeps), as the execute API does; the queue gets the rest.
   */
  async handOver(executions: readonly Pick<TriggeredExecution, 'id' | 'graph_id' | 'graph_version'>[]): Promise<void> {
    const queued: string[] = [];
    const limited = new Map<string, boolean>(); // per graph version: a group is mostly one agent's
    for (const execution of executions) {
      if (this.startedHere.delete(execution)) continue; // claimed at admission: its worker runs it already
      const version = `${execution.graph_id}@${execution.graph_version}`;
      let fifo = limited.get(version);
      if (fifo === undefined) {
        const compiled = await this.facts.compiled(execution.graph_id, execution.graph_version);
        fifo = !compiled || compiled.definition.concurrency !== undefined;
        limited.set(version, fifo);
      }
      if (!fifo && this.queue.offerLocal(execution.id)) continue;
      queued.push(execution.id);
    }
    await this.enqueue(queued);
  }

  /** After the commit: asks a worker to run them (one queue round trip). A lost dispatch is found again by the sweep (the rows are QUEUED). */
  async enqueue(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.queue
      .dispatch(ids)
      .catch((error: unknown) =>
        this.logger.warn(
          { err: error, execution_ids: ids.length > 10 ? [...ids.slice(0, 10), `and ${ids.length - 10} more`] : ids },
          'dispatch failed; the sweep dispatches the executions when the queue is back',
        ),
      );
  }
}

/** Seeding a file agent's trigger by hand, or running a version that is not the active one, is for admins (403). */
function refuseFileAgentRequest(graphId: string, body: ExecuteBody, inactiveVersion: boolean): void {
  if (body.trigger) throw adminOnlyForFileAgent(graphId, 'seed a trigger by hand (`trigger: {node, outputs}`)', '/trigger');
  if (inactiveVersion) throw adminOnlyForFileAgent(graphId, 'run a version that is not the active one', '/version');
}
