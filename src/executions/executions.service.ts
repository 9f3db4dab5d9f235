// The execution API's logic: create (checked, then QUEUED and dispatched), wait, stop, re-run, queries.
import { isFinalRunStatus } from './engine/engine.types.js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { CREDENTIAL_RESOLVER, type CredentialResolver } from '../blocks/credential-resolver.js';
import { validationFailed } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { withStorableHeaders } from '../common/stored-headers.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { compileGraph, type CompiledGraph } from './engine/graph.compiler.js';
import { EVENT_BUS, type EventBus } from './events/execution-events.js';
import type { ExecutionSource } from './execution.entity.js';
import { isBigintText, isTimeIdCursor } from '../common/query-values.js';
import { checkRunRequest, type RunRequest } from './execution-request.checks.js';
import { adminOnlyForFileAgent, badCursor, executionNotFound, graphNotFound, insufficientCredits } from './executions.errors.js';
import { ExecutionsRepository, type ExecutionRow } from './executions.repository.js';
import { admitsFileTrust } from './file-trust.js';
import { decodeCursor, encodeCursor, executionView, nodeExecutionView, waitingOf, type ExecutionView, type NodeExecutionView } from './executions.views.js';
import { EXECUTION_DISPATCHER, type ExecutionDispatcher } from './queue/execution-dispatcher.js';
import { LocalHandoff } from './queue/local-handoff.js';

export interface ExecuteBody {
  inputs?: Record<string, unknown>;
  credentials?: Record<string, Record<string, string>>;
  preset_id?: string;
  trigger?: { node: string; outputs: Record<string, unknown> };
}

@Injectable()
export class ExecutionsService {
  private readonly graphs = new Map<string, CompiledGraph>();
  private readonly logger: Logger;

  constructor(
    private readonly repository: ExecutionsRepository,
    private readonly registry: BlocksRegistry,
    @Inject(CREDENTIAL_RESOLVER) private readonly resolver: CredentialResolver,
    @Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Optional() @Inject(EVENT_BUS) private readonly bus: EventBus | null,
    private readonly local: LocalHandoff,
  ) {
    this.logger = logger.child({ component: 'ExecutionsService' });
  }

  /** Checks the request, writes the execution QUEUED and dispatches it (a lost dispatch is swept up later). */
  async execute(
    principal: Principal,
    graphId: string,
    version: number | undefined,
    body: ExecuteBody,
    source: ExecutionSource = 'api',
    rerunOf: string | null = null,
  ): Promise<ExecutionRow> {
    const graph = await this.repository.graph(graphId);
    const isAdmin = principal.role === 'admin';
    if (!graph || (!isAdmin && graph.source === 'api' && graph.created_by !== principal.user.id)) throw graphNotFound(graphId);
    if (version === undefined && !graph.active) throw graphNotFound(graphId);
    const runVersion = version ?? graph.active_version;
    const compiled = await this.compiled(graphId, runVersion);
    if (!compiled) throw graphNotFound(graphId, runVersion);
    if (source === 'api' && !isAdmin && graph.source === 'file') refuseFileAgentRequest(graphId, body, runVersion !== graph.active_version);
    // An admin's run (or re-run) of a file agent's active version is admitted by file trust; nobody else's.
    const fileTrust = admitsFileTrust({ graph, version: runVersion, trustedStart: isAdmin });
    let inputs = body.inputs ?? {};
    let credentials = body.credentials ?? {};
    if (body.preset_id) {
      const preset = await this.repository.preset(body.preset_id, graphId);
      if (!preset || (!isAdmin && preset.user_id !== principal.user.id))
        throw validationFailed([
          { pointer: '/preset_id', message: `no preset "${body.preset_id}" of ${graphId} exists for you; list them with GET /api/graphs/${graphId}/presets` },
        ]);
      inputs = { ...preset.inputs, ...inputs };
      credentials = { ...(preset.credentials as Record<string, Record<string, string>>), ...credentials };
    }
    const request: RunRequest = { inputs, trigger: body.trigger ?? null, credentials };
    const problems = await checkRunRequest(compiled, request, this.resolver, principal.user.id, fileTrust);
    if (problems.length > 0) throw validationFailed(problems);
    if (this.config.credits.enabled) {
      const balance = await this.repository.balance(principal.user.id);
      if (balance !== null && balance <= 0) throw insufficientCredits(balance);
    }
    const row = await this.repository.insert({
      graph_id: graphId,
      graph_version: runVersion,
      source,
      user_id: principal.user.id,
      trigger_node: body.trigger?.node ?? null,
      trigger_event: body.trigger ? withStorableHeaders(body.trigger.outputs) : null,
      inputs: body.trigger ? {} : inputs,
      credentials,
      preset_id: body.preset_id ?? null,
      rerun_of: rerunOf,
      file_trust: fileTrust,
    });
    // An agent with `concurrency` keeps its FIFO through the queue; others go to a local worker when one has room.
    if (compiled.definition.concurrency === undefined && this.local.offer(row.id)) return row;
    await this.dispatcher
      .dispatch(row.id)
      .catch((error: unknown) =>
        this.logger.warn({ err: error, execution_id: row.id }, 'dispatch failed; the sweep dispatches the execution when the queue is back'),
      );
    return row;
  }

  /** Resolves with the execution once it is final, or with its current state after `ms`. */
  async waitFor(id: string, ms: number): Promise<ExecutionRow> {
    const done = await new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (value: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(safety);
        unsubscribe?.();
        resolve(value);
      };
      const unsubscribe = this.bus?.subscribe((event) => {
        if (event.event === 'graph_execution_update' && event.data.execution_id === id && isFinalRunStatus(String(event.data.status))) finish(true);
      });
      const timer = setTimeout(() => finish(false), ms);
      // A failed look (the database restarting) is only a missed look: the next one, or the timer, ends the wait.
      const look = () =>
        void this.repository.find(id).then(
          (row) => row && isFinalRunStatus(row.status) && finish(true),
          () => undefined,
        );
      // Without an event bus (or if an event is lost) a slow look at the row still ends the wait.
      const safety = setInterval(look, this.bus ? 1_000 : 100);
      look();
    });
    void done;
    return (await this.repository.find(id))!;
  }

  async stop(principal: Principal, graphId: string, id: string): Promise<ExecutionRow> {
    const row = await this.visible(principal, id);
    if (row.graph_id !== graphId) throw executionNotFound(id);
    if (isFinalRunStatus(row.status)) return row;
    const stopped = await this.repository.cancel([id]);
    const after = (await this.repository.find(id))!;
    for (const s of stopped) {
      void this.bus?.publish({
        event: 'graph_execution_update',
        data: { ...executionView(s.id === id ? after : ((await this.repository.find(s.id)) ?? after)), execution_id: s.id },
      });
      if (s.parent_id) await this.dispatcher.dispatch(s.parent_id).catch(() => undefined);
    }
    for (const graph of new Set(stopped.map((s) => s.graph_id))) {
      const next = await this.repository.nextQueued(graph);
      if (next) await this.dispatcher.dispatch(next).catch(() => undefined);
    }
    return after;
  }

  async rerun(principal: Principal, id: string): Promise<ExecutionRow> {
    const row = await this.visible(principal, id);
    const body: ExecuteBody =
      row.trigger_node && row.trigger_event ? { trigger: { node: row.trigger_node, outputs: row.trigger_event } } : { inputs: row.inputs };
    body.credentials = row.credentials as Record<string, Record<string, string>>;
    return this.execute(principal, row.graph_id, row.graph_version, body, 'rerun', row.id);
  }

  async list(
    principal: Principal,
    query: { graph_id?: string; status?: string; source?: string; limit?: number; cursor?: string },
  ): Promise<{ items: ExecutionView[]; next_cursor: string | null }> {
    const after = decodeCursor(query.cursor, isTimeIdCursor);
    if (after === null) throw badCursor();
    const limit = Math.min(Math.max(1, query.limit ?? 50), 200);
    const rows = await this.repository.list({
      userId: principal.role === 'admin' ? null : principal.user.id,
      graphId: query.graph_id,
      status: query.status,
      source: query.source,
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(executionView),
      next_cursor: rows.length > limit && last ? encodeCursor({ created_at: new Date(last.created_at).toISOString(), id: last.id }) : null,
    };
  }

  async detail(principal: Principal, id: string): Promise<ExecutionView> {
    const row = await this.visible(principal, id);
    const nodes = await this.repository.nodes(id, { limit: 1000 });
    return { ...executionView(row), node_executions: nodes.map(nodeExecutionView), ...(row.status === 'RUNNING' ? { waiting: waitingOf(nodes) } : {}) };
  }

  async nodes(
    principal: Principal,
    id: string,
    query: { status?: string; limit?: number; cursor?: string },
  ): Promise<{ items: NodeExecutionView[]; next_cursor: string | null }> {
    await this.visible(principal, id);
    const after = decodeCursor(query.cursor, (v): v is { seq: string } => typeof v === 'object' && v !== null && isBigintText((v as { seq?: unknown }).seq));
    if (after === null) throw badCursor();
    const limit = Math.min(Math.max(1, query.limit ?? 100), 1000);
    const rows = await this.repository.nodes(id, { afterSeq: after?.seq, status: query.status, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(nodeExecutionView), next_cursor: rows.length > limit && last ? encodeCursor({ seq: String(last.seq) }) : null };
  }

  async results(principal: Principal, id: string): Promise<{ status: string; outputs: Record<string, unknown[]> }> {
    const row = await this.visible(principal, id);
    const compiled = await this.compiled(row.graph_id, row.graph_version);
    const empty = Object.fromEntries((compiled?.outputNames ?? []).map((name) => [name, [] as unknown[]]));
    return { status: row.status, outputs: { ...empty, ...(row.outputs ?? {}) } };
  }

  /** Another user's execution answers 404, like one that does not exist. */
  async visible(principal: Principal, id: string): Promise<ExecutionRow> {
    const row = await this.repository.find(id);
    if (!row || (principal.role !== 'admin' && row.user_id !== principal.user.id)) throw executionNotFound(id);
    return row;
  }

  private async compiled(graphId: string, version: number): Promise<CompiledGraph | null> {
    const key = `${graphId}@${version}`;
    const cached = this.graphs.get(key);
    if (cached) return cached;
    const definition = await this.repository.definition(graphId, version);
    if (!definition) return null;
    const compiled = compileGraph(definition, this.registry);
    this.graphs.set(key, compiled);
    return compiled;
  }
}

/** Seeding a file agent's trigger by hand, or running a version that is not the active one, is for admins (403). */
function refuseFileAgentRequest(graphId: string, body: ExecuteBody, inactiveVersion: boolean): void {
  if (body.trigger) throw adminOnlyForFileAgent(graphId, 'seed a trigger by hand (`trigger: {node, outputs}`)', '/trigger');
  if (inactiveVersion) throw adminOnlyForFileAgent(graphId, 'run a version that is not the active one', '/version');
}
