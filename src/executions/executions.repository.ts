// SQL of the execution API, the sweep and retention (rows are created by admission/admission.repository.ts, the
// worker's writes are in worker/execution-store.repository.ts).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import type { ExecutionSource, ExecutionStatus } from './execution.entity.js';
import type { NodeRunRecord } from './engine/engine.types.js';
import { NODE_RUN_COLUMNS, runRecordOfRow, type NodeExecutionRow } from './node-run-rows.js';

export interface ExecutionRow {
  id: string;
  graph_id: string;
  graph_version: number;
  status: ExecutionStatus;
  source: ExecutionSource;
  trigger_node: string | null;
  trigger_event: Record<string, unknown> | null;
  user_id: string;
  parent_id: string | null;
  inputs: Record<string, unknown>;
  credentials: Record<string, unknown>;
  outputs: Record<string, unknown[]> | null;
  error: { code: string; message: string; node_id?: string | null; details?: Record<string, unknown> } | null;
  cost: number;
  preset_id: string | null;
  retry_of: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface ExecutionListFilter {
  userId: string | null;
  graphId?: string;
  status?: string;
  source?: string;
  after?: { created_at: string; id: string };
  limit: number;
}

export const EXECUTION_COLUMNS = `id, graph_id, graph_version, status, source, trigger_node, trigger_event, user_id, parent_id, inputs, credentials,
  outputs, error, cost, preset_id, retry_of, created_at, started_at, ended_at`;

@Injectable()
export class ExecutionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = (await this.dataSource.query(sql, params)) as T[] | [T[], number];
    return Array.isArray(result[0]) && result.length === 2 && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
  }

  /** API graph versions ordinary users ran in the last `days` days, with the names execute requests gave (the upgrade note). */
  recentApiRuns(days: number): Promise<Array<{ graph_id: string; definition: AgentDefinition; credentials: Record<string, Record<string, string>> }>> {
    return this.query(
      `SELECT DISTINCT ON (e.graph_id, e.graph_version, e.credentials) e.graph_id, v.definition, e.credentials
       FROM executions e JOIN graphs g ON g.id = e.graph_id AND g.source = 'api'
       JOIN graph_versions v ON v.graph_id = e.graph_id AND v.version = e.graph_version
       WHERE e.created_at > now() - make_interval(days => $1)
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id AND u.role = 'admin')
       LIMIT 10000`,
      [days],
    );
  }

  async find(id: string): Promise<ExecutionRow | null> {
    if (!isUuid(id)) return null;
    const rows = await this.query<ExecutionRow>(`SELECT ${EXECUTION_COLUMNS} FROM executions WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  list(filter: ExecutionListFilter): Promise<ExecutionRow[]> {
    return this.query<ExecutionRow>(
      `SELECT ${EXECUTION_COLUMNS} FROM executions
       WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR graph_id = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::text IS NULL OR source = $4) AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $7`,
      [
        filter.userId,
        filter.graphId ?? null,
        filter.status ?? null,
        filter.source ?? null,
        filter.after?.created_at ?? null,
        filter.after?.id ?? null,
        filter.limit,
      ],
    );
  }

  async nodes(executionId: string, options: { afterSeq?: string; status?: string; limit: number }): Promise<NodeRunRecord[]> {
    const rows = await this.query<NodeExecutionRow>(
      `SELECT ${NODE_RUN_COLUMNS} FROM node_executions WHERE execution_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint) AND ($3::text IS NULL OR status = $3)
       ORDER BY seq LIMIT $4`,
      [executionId, options.afterSeq ?? null, options.status ?? null, options.limit],
    );
    return rows.map(runRecordOfRow);
  }

  /** The children of these executions that failed or were cancelled: a retry of their parent retries them. */
  unfinishedChildren(parentIds: string[]): Promise<Array<{ id: string; graph_id: string; graph_version: number }>> {
    return this.query(
      `SELECT id, graph_id, graph_version FROM executions WHERE parent_id = ANY($1::uuid[]) AND status IN ('FAILED', 'CANCELLED') ORDER BY created_at, id`,
      [parentIds],
    );
  }

  /** The oldest QUEUED execution of an agent (the next of its FIFO, once a stop frees a slot). */
  async nextQueued(graphId: string): Promise<string | null> {
    const rows = await this.query<{ id: string }>(`SELECT id FROM executions WHERE graph_id = $1 AND status = 'QUEUED' ORDER BY created_at, id LIMIT 1`, [
      graphId,
    ]);
    return rows[0]?.id ?? null;
  }

  /**
   * Stops executions and their descendants in one statement: CANCELLED first (the status is the truth a
   * worker obeys), unfinished node executions CANCELLED with them, the cost as charged. Answers the rows it stopped.
   */
  async cancel(ids: string[]): Promise<Array<{ id: string; graph_id: string; user_id: string; parent_id: string | null }>> {
    return this.query(
      `WITH RECURSIVE tree AS (
         SELECT id FROM executions WHERE id = ANY($1::uuid[])
         UNION SELECT e.id FROM executions e JOIN tree t ON e.parent_id = t.id
       ), locked AS (
         -- In id order, like the worker's step writes and lease renewals, so a stop never deadlocks with them.
         SELECT e.id FROM executions e JOIN tree ON tree.id = e.id WHERE e.status IN ('QUEUED', 'RUNNING') ORDER BY e.id FOR UPDATE OF e
       ), stopped AS (
         -- Its cost is what its ledger says: charges of attempts and ai.agent calls still running were not written into it yet.
         UPDATE executions e SET status = 'CANCELLED', lease_owner = NULL, lease_until = NULL,
           error = jsonb_build_object('code', 'CANCELLED', 'message', 'The execution was stopped before it finished.', 'node_id', NULL),
           cost = GREATEST(e.cost, COALESCE((SELECT -SUM(c.amount) FROM credit_transactions c WHERE c.execution_id = e.id AND c.type IN ('USAGE', 'REFUND')), 0))
         FROM locked WHERE e.id = locked.id AND e.status IN ('QUEUED', 'RUNNING')
         RETURNING e.id, e.graph_id, e.user_id, e.parent_id
       ), nodes AS (
         UPDATE node_executions n SET status = 'CANCELLED', ended_at = COALESCE(n.ended_at, now()), resume_at = NULL, waiting_for = NULL
         FROM stopped WHERE n.execution_id = stopped.id AND n.status IN ('QUEUED', 'RUNNING', 'WAITING')
         RETURNING 1
       )
       SELECT id, graph_id, user_id, parent_id FROM stopped WHERE (SELECT count(*) FROM nodes) >= 0`,
      [ids],
    );
  }

  /**
   * What the sweep hands to workers again: QUEUED executions whose dispatch may be lost, RUNNING ones whose
   * lease lapsed, and given-back ones with a due wait, a finished child or a passed deadline.
   */
  async needingDispatch(queuedOlderThanMs: number, limit: number): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      `(SELECT id FROM executions WHERE status = 'QUEUED' AND created_at < now() - make_interval(secs => $1::float8 / 1000) ORDER BY created_at LIMIT $2)
       UNION
       (SELECT id FROM executions WHERE status = 'RUNNING' AND lease_until < now() LIMIT $2)
       UNION
       (SELECT DISTINCT n.execution_id FROM node_executions n JOIN executions e ON e.id = n.execution_id
        WHERE n.status = 'WAITING' AND n.resume_at <= now() AND e.status = 'RUNNING' AND e.lease_owner IS NULL LIMIT $2)
       UNION
       (SELECT p.id FROM executions c JOIN executions p ON p.id = c.parent_id
        WHERE c.status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND c.ended_at > now() - interval '1 hour' AND p.status = 'RUNNING' AND p.lease_owner IS NULL LIMIT $2)
       UNION
       (SELECT id FROM executions WHERE status = 'RUNNING' AND deadline_at < now() AND waiting_since IS NULL AND (lease_owner IS NULL OR lease_until < now()) LIMIT $2)
       UNION
       -- Parked with a decided review or a consumed event its node has not taken yet: the wake-up was lost
       -- (a worker killed after taking the dispatch, before applying it).
       (SELECT e.id FROM executions e WHERE e.status = 'RUNNING' AND e.lease_until IS NULL AND e.lease_owner IS NULL
          AND (EXISTS (SELECT 1 FROM reviews r JOIN node_executions n ON n.id = r.node_execution_id
                       WHERE r.execution_id = e.id AND r.status <> 'pending' AND n.status = 'WAITING')
            OR EXISTS (SELECT 1 FROM node_executions n JOIN wait_events w ON w.consumed_by = n.id
                       WHERE n.execution_id = e.id AND n.status = 'WAITING'))
        LIMIT $2)`,
      [queuedOlderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Runs `work` only if no other process holds the sweep right now. */
  async exclusively(lock: number, work: () => Promise<void>): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const got = (await runner.query(`SELECT pg_try_advisory_lock($1) AS ok`, [lock])) as Array<{ ok: boolean }>;
      if (!got[0]?.ok) return false;
      try {
        await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [lock]);
      }
      return true;
    } finally {
      await runner.release();
    }
  }

  /** Retention: deletes up to `limit` finished executions that ended before the cutoff; answers how many. */
  async deleteFinishedBefore(cutoffMs: number, limit: number): Promise<number> {
    const rows = await this.query<{ id: string }>(
      `DELETE FROM executions WHERE id IN (
         SELECT id FROM executions WHERE ended_at < now() - make_interval(secs => $1::float8 / 1000)
           AND status IN ('COMPLETED', 'FAILED', 'CANCELLED') ORDER BY ended_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [cutoffMs, limit],
    );
    return rows.length;
  }

  async countByStatus(): Promise<Array<{ graph_id: string; status: string; n: number }>> {
    return this.query(`SELECT graph_id, status, count(*)::int AS n FROM executions WHERE status IN ('QUEUED', 'RUNNING') GROUP BY graph_id, status`, []);
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
