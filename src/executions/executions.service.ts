// The execution API's logic: create (through admission), wait, stop, re-run, queries.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { isBigintText, isTimeIdCursor } from '../common/query-values.js';
import { ExecutionAdmission, type ExecuteBody } from './admission/execution-admission.service.js';
import { CompiledGraphs } from './compiled-graphs.js';
import { isFinalRunStatus } from './engine/engine.types.js';
import type { RerunSideEffect } from './engine/replay.js';
import { EVENT_BUS, type EventBus } from './events/execution-events.js';
import { AppError } from '../common/errors.js';
import { badCursor, executionNotFound, notRetriable, retryDoesNotFit } from './executions.errors.js';
import { ExecutionsRepository, type ExecutionRow } from './executions.repository.js';
import { RerunEffects } from './rerun-effects.js';
import {
  decodeCursor,
  encodeCursor,
  executionView,
  nodeExecutionView,
  waitingOf,
  withAgentTrace,
  type ExecutionView,
  type NodeExecutionView,
} from './executions.views.js';
import { AgentConversationsRepository } from './worker/agent-conversations.repository.js';
import { FinishFollowUps } from './worker/execution-finish.js';

export type { ExecuteBody };

@Injectable()
export class ExecutionsService {
  constructor(
    private readonly repository: ExecutionsRepository,
    private readonly admission: ExecutionAdmission,
    private readonly compiledGraphs: CompiledGraphs,
    private readonly followUps: FinishFollowUps,
    @Optional() @Inject(EVENT_BUS) private readonly bus: EventBus | null,
    private readonly conversations: AgentConversationsRepository,
    private readonly rerunEffects: RerunEffects,
  ) {}

  /** Creates an execution (admission/execution-admission.service.ts checks, writes and hands it over). */
  execute(principal: Principal, graphId: string, version: number | undefined, body: ExecuteBody): Promise<ExecutionRow> {
    return this.admission.request(principal, graphId, version, body);
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
      if (s.parent_id) await this.followUps.wakeParent(s.parent_id);
    }
    // Whether an agent limits its concurrency is not looked up here: a QUEUED execution dispatched twice runs once.
    for (const graph of new Set(stopped.map((s) => s.graph_id))) await this.followUps.startNextQueued(graph);
    return after;
  }

  async rerun(principal: Principal, id: string): Promise<ExecutionRow> {
    const row = await this.visible(principal, id);
    return this.admission.request(principal, row.graph_id, row.graph_version, sameRequest(row), 'rerun', row.id);
  }

  /**
   * Retry from the failure (release-2.md section 3): a new execution (`source: retry`, billed to the
   * original's user) whose worker reuses the original's completed node executions and runs the rest.
   */
  async retry(principal: Principal, id: string, version: 'same' | 'latest'): Promise<{ row: ExecutionRow; rerunSideEffects: RerunSideEffect[] }> {
    const row = await this.visible(principal, id);
    if (row.status !== 'FAILED' && row.status !== 'CANCELLED') throw notRetriable(id, row.status);
    const created = await this.admitRetry(principal, row, version);
    // Nodes with outside effects stopped mid-attempt: the retry runs them again, so their effect may repeat.
    return { row: created, rerunSideEffects: await this.rerunEffects.of(row, created.graph_version) };
  }

  private async admitRetry(principal: Principal, row: ExecutionRow, version: 'same' | 'latest'): Promise<ExecutionRow> {
    const retry = { of: row.id, userId: row.user_id };
    if (version === 'same') return this.admission.request(principal, row.graph_id, row.graph_version, sameRequest(row), 'retry', null, retry);
    try {
      return await this.admission.request(principal, row.graph_id, undefined, sameRequest(row), 'retry', null, retry);
    } catch (error) {
      if (error instanceof AppError && error.code === 'VALIDATION_FAILED') throw retryDoesNotFit(row.id, row.graph_id, error.message);
      throw error;
    }
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
    const agents = await this.conversations.loadMany(nodes.filter((n) => n.block === 'ai.agent').map((n) => n.id));
    return {
      ...executionView(row),
      node_executions: nodes.map((n) => withAgentTrace(nodeExecutionView(n), agents.get(n.id))),
      ...(row.status === 'RUNNING' ? { waiting: waitingOf(nodes) } : {}),
    };
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
    const compiled = await this.compiledGraphs.get(row.graph_id, row.graph_version);
    const empty = Object.fromEntries((compiled?.outputNames ?? []).map((name) => [name, [] as unknown[]]));
    return { status: row.status, outputs: { ...empty, ...(row.outputs ?? {}) } };
  }

  /** Another user's execution answers 404, like one that does not exist. */
  async visible(principal: Principal, id: string): Promise<ExecutionRow> {
    const row = await this.repository.find(id);
    if (!row || (principal.role !== 'admin' && row.user_id !== principal.user.id)) throw executionNotFound(id);
    return row;
  }
}

/** What the execution was started with: its trigger event or inputs, and the credentials of its request. */
function sameRequest(row: ExecutionRow): ExecuteBody {
  const body: ExecuteBody =
    row.trigger_node && row.trigger_event ? { trigger: { node: row.trigger_node, outputs: row.trigger_event } } : { inputs: row.inputs };
  body.credentials = row.credentials as Record<string, Record<string, string>>;
  return body;
}
