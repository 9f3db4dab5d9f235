// The worker's SQL: claiming executions under a lease, reading their rows back, and writing scheduling
// steps. Steps of many executions go out in ONE statement (fenced by the lease: a worker that lost its
// lease, or an execution stopped meanwhile, writes nothing), so the database sees few round trips.
import { Injectable } from '@nestjs/common';
import type { FailedChildEntry, ReplayBook, ReplayEntry } from '../engine/replay.js';
import { DataSource, type EntityManager } from 'typeorm';
import type { NewChildExecution } from '../admission/admission.types.js';
import type { ExecutionError } from '../engine/engine.errors.js';
import type { ExecutionStatus, NodeRunRecord } from '../engine/engine.types.js';
import { runRecordOfRow, type NodeExecutionRow, type RunWrite } from '../node-run-rows.js';

export interface ClaimedExecution {
  id: string;
  graph_id: string;
  graph_version: number;
  user_id: string;
  parent_id: string | null;
  depth: number;
  inputs: Record<string, unknown>;
  trigger_node: string | null;
  trigger_event: Record<string, unknown> | null;
  credentials: Record<string, unknown>;
  /** Admitted by file trust (file-trust.ts): names from the file may use operator credentials with allow.file_agents. */
  file_trust: boolean;
  cost: number;
  deadline_at: Date;
  /** True when the execution was QUEUED (nothing ran yet): it needs seeding. */
  fresh: boolean;
  /** The effective vars recorded for it (null: not recorded yet, see ExecutionWorker.varsOf). */
  vars: Record<string, unknown> | null;
  /** What expressions read as `execution.source` and `execution.started_at`. */
  source?: string;
  started_at?: Date | null;
  /** Retry from the failure: the execution this one retries (its completed node executions are reused). */
  retry_of?: string | null;
  /** Set by the worker from `retry_of` before the run opens: what the scheduler may reuse. */
  replay?: ReplayBook;
}

/** One execution's share of a write: changed rows, and its own columns. */
export interface ExecutionWrite {
  id: string;
  runs: RunWrite[];
  /** Set when the status changes (a final status writes outputs and error with it). */
  status: ExecutionStatus | null;
  error: ExecutionError | null;
  outputs: Record<string, unknown[]> | null;
  cost: number;
  node_execution_count: number;
  /** Give the lease back (every unfinished node waits: a delay, a child, a review, an event); the timeout pauses meanwhile. */
  release: boolean;
  children: NewChildExecution[];
}

export interface WrittenExecution {
  id: string;
  status: ExecutionStatus;
  graph_id: string;
  graph_version: number;
  user_id: string;
  parent_id: string | null;
}

const RUN_RECORD = `id uuid, execution_id uuid, seq bigint, node_id text, block text, status text, inputs jsonb, outputs jsonb,
  error jsonb, attempt int, delivered_seq int, waiting_for jsonb, resume_at timestamptz, attempts jsonb, cost int,
  started_at timestamptz, ended_at timestamptz, reused boolean`;

// Time parked with every unfinished node WAITING (waiting_since) does not count toward the timeout: the deadline moves by it.
const CLAIM_SET = `status = 'RUNNING', lease_owner = $2, lease_until = now() + make_interval(secs => $3::float8 / 1000),
  deadline_at = COALESCE(e.deadline_at + GREATEST(now() - e.waiting_since, interval '0'), e.deadline_at,
    now() + make_interval(secs => COALESCE((v.definition->>'timeout')::float8, $4::float8) / 1000)), waiting_since = NULL`;
// The cost of a resumed execution is what its ledger says: a worker that died after charging an attempt never
// wrote that charge into `cost` (the ledger row is written by the charge itself). Indexed; no rows when fresh.
const CLAIM_RETURNING = `e.id, e.graph_id, e.graph_version, e.user_id, e.parent_id, e.depth, e.inputs, e.trigger_node, e.trigger_event,
  e.credentials, e.file_trust, e.vars, e.source, e.started_at, e.retry_of,
  GREATEST(e.cost, COALESCE((SELECT -SUM(t.amount) FROM credit_transactions t WHERE t.execution_id = e.id AND t.type IN ('USAGE', 'REFUND')), 0))::int AS cost,
  e.deadline_at, (e.started_at IS NULL) AS fresh`;

@Injectable()
export class ExecutionStoreRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes execution `id` for `owner`: a QUEUED one (within its agent's `concurrency`, oldest first), or a
   * RUNNING one whose lease lapsed or was given back. Null when someone else holds it or it is finished.
   */
  async claim(id: string, owner: string, leaseMs: number, timeoutMs: number): Promise<ClaimedExecution | null> {
    const [claimed] = await this.claimMany([id], owner, leaseMs, timeoutMs);
    return claimed ?? this.claimLimited(id, owner, leaseMs, timeoutMs);
  }

  /**
   * The fast path of `claim` for several executions in one statement (rows locked in id order, like every
   * multi-row statement here). Answers those taken; for the others call `claimLimited`.
   */
  async claimMany(ids: string[], owner: string, leaseMs: number, timeoutMs: number): Promise<ClaimedExecution[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `UPDATE executions e SET ${CLAIM_SET}, started_at = COALESCE(e.started_at, now())
       FROM graph_versions v, (SELECT id FROM executions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE) held
       WHERE e.id = held.id AND v.graph_id = e.graph_id AND v.version = e.graph_version
         AND ((e.status = 'QUEUED' AND NOT (v.definition ? 'concurrency'))
           OR (e.status = 'RUNNING' AND (e.lease_owner IS NULL OR e.lease_until < now())))
       RETURNING ${CLAIM_RETURNING.replace('(e.started_at IS NULL)', '(e.node_execution_count = 0 AND NOT EXISTS (SELECT 1 FROM node_executions n WHERE n.execution_id = e.id))')}`,
      [ids, owner, leaseMs, timeoutMs],
    )) as [ClaimedExecution[], number] | ClaimedExecution[];
    return Array.isArray(rows[0]) ? (rows[0] as ClaimedExecution[]) : (rows as ClaimedExecution[]);
  }

  /** A QUEUED execution of an agent with `concurrency`: serialised per agent so N+1 never run. */
  async claimLimited(id: string, owner: string, leaseMs: number, timeoutMs: number): Promise<ClaimedExecution | null> {
    // Most misses are executions someone else took or that finished: known without a transaction.
    const found = (await this.dataSource.query(
      `SELECT e.graph_id, (v.definition->>'concurrency')::int AS concurrency FROM executions e
       JOIN graph_versions v ON v.graph_id = e.graph_id AND v.version = e.graph_version
       WHERE e.id = $1 AND e.status = 'QUEUED' AND v.definition ? 'concurrency'`,
      [id],
    )) as Array<{ graph_id: string; concurrency: number }>;
    const agent = found[0];
    if (!agent) return null;
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('trellis.agent-concurrency'), hashtext($1))`, [agent.graph_id]);
      const rows = (await manager.query(
        `UPDATE executions e SET ${CLAIM_SET}, started_at = COALESCE(e.started_at, now())
         FROM graph_versions v
         WHERE e.id = $1 AND e.status = 'QUEUED' AND v.graph_id = e.graph_id AND v.version = e.graph_version
           AND (SELECT count(*) FROM executions r WHERE r.graph_id = e.graph_id AND r.status = 'RUNNING') < $5
           AND NOT EXISTS (SELECT 1 FROM executions q WHERE q.graph_id = e.graph_id AND q.status = 'QUEUED' AND (q.created_at, q.id) < (e.created_at, e.id))
         RETURNING ${CLAIM_RETURNING.replace('(e.started_at IS NULL)', 'true')}`,
        [id, owner, leaseMs, timeoutMs, agent.concurrency],
      )) as [ClaimedExecution[], number];
      return firstRow<ClaimedExecution>(rows);
    });
  }

  /**
   * Facts of a stored version the worker needs once: whether its graph comes from the agents folder (only
   * file agents take config/vars*.yaml overrides), and whether it was stored with `${{ }}` expressions
   * (versions stored by release 1 keep `${{` as literal text).
   */
  async versionFacts(graphId: string, version: number): Promise<{ file: boolean; expressions: boolean }> {
    const rows = (await this.dataSource.query(
      `SELECT g.source, v.expressions FROM graph_versions v JOIN graphs g ON g.id = v.graph_id WHERE v.graph_id = $1 AND v.version = $2`,
      [graphId, version],
    )) as Array<{ source: string; expressions: boolean }>;
    return { file: rows[0]?.source === 'file', expressions: rows[0]?.expressions ?? true };
  }

  /** Records an execution's effective vars once; answers the recorded snapshot (an earlier one wins). */
  async snapshotVars(id: string, vars: Record<string, unknown>): Promise<Record<string, unknown>> {
    const rows = (await this.dataSource.query(`UPDATE executions SET vars = COALESCE(vars, $2::jsonb) WHERE id = $1 RETURNING vars`, [
      id,
      JSON.stringify(vars),
    ])) as [Array<{ vars: Record<string, unknown> }>, number];
    return firstRow<{ vars: Record<string, unknown> }>(rows)?.vars ?? vars;
  }

  /**
   * The rows of a claimed execution. Rows still RUNNING were cut short (the lease lapsed or was given back
   * mid-attempt) and run again: their `resumes` goes up by one here, in the same statement, before they do.
   */
  /** Retry from the failure: the retried execution's version and its COMPLETED node executions, in recorded order. */
  async replayOf(executionId: string): Promise<{ graph_version: number; entries: ReplayEntry[]; failedChildren: FailedChildEntry[] } | null> {
    const [execution] = (await this.dataSource.query(`SELECT graph_version FROM executions WHERE id = $1`, [executionId])) as Array<{ graph_version: number }>;
    if (!execution) return null;
    const entries = (await this.dataSource.query(
      // With the streams left unfinished: what they delivered (delivered_seq) is delivered again, then they resume after it.
      `SELECT node_id AS node, block, COALESCE(inputs, '{}') AS inputs, COALESCE(outputs, '{}') AS outputs,
         CASE WHEN status = 'COMPLETED' THEN NULL ELSE delivered_seq END AS delivered_seq
       FROM node_executions WHERE execution_id = $1 AND (status = 'COMPLETED' OR delivered_seq > 0) ORDER BY seq`,
      [executionId],
    )) as ReplayEntry[];
    // The last child of each agent.run that did not complete, where that child failed or was cancelled.
    const failedChildren = (await this.dataSource.query(
      `SELECT node, inputs, execution_id, graph_version FROM (
         SELECT DISTINCT ON (n.id) n.seq, n.node_id AS node, COALESCE(n.inputs, '{}') AS inputs, c.id AS execution_id, c.graph_version, c.status
         FROM node_executions n JOIN executions c ON c.parent_node_execution_id = n.id
         WHERE n.execution_id = $1 AND n.status <> 'COMPLETED' AND n.block = 'agent.run'
         ORDER BY n.id, c.created_at DESC, c.id DESC) last
       WHERE status IN ('FAILED', 'CANCELLED') ORDER BY seq`,
      [executionId],
    )) as FailedChildEntry[];
    return { graph_version: execution.graph_version, entries, failedChildren };
  }

  async runs(executionId: string): Promise<NodeRunRecord[]> {
    const rows = (await this.dataSource.query(
      `WITH bumped AS (
         UPDATE node_executions SET resumes = resumes + 1 WHERE execution_id = $1 AND status = 'RUNNING' RETURNING id, resumes
       )
       SELECT n.id, n.execution_id, n.seq::int AS seq, n.node_id, n.block, n.status, n.inputs, n.outputs, n.error, n.attempt, n.delivered_seq,
         n.waiting_for, n.resume_at, n.attempts, n.cost, n.started_at, n.ended_at, n.reused, COALESCE(b.resumes, n.resumes) AS resumes
       FROM node_executions n LEFT JOIN bumped b ON b.id = n.id WHERE n.execution_id = $1 ORDER BY n.seq`,
      [executionId],
    )) as NodeExecutionRow[];
    return rows.map(runRecordOfRow);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Writes the steps of several executions at once (in `manager`'s transaction when given: their children are
   * admitted in it); answers the executions still held (the others were lost or stopped). Their rows stay
   * locked until that transaction commits, so a child is written only with a parent whose lease held.
   */
  async write(owner: string, writes: ExecutionWrite[], manager?: EntityManager): Promise<WrittenExecution[]> {
    const ids = writes.map((w) => w.id);
    // Inputs a row already holds are sent as null (JSON null marks "keep" in the upsert: real inputs are objects).
    const runs = writes.flatMap((w) => w.runs.map((run) => (run.inputs_unchanged ? { ...run, inputs: null, inputs_unchanged: undefined } : run)));
    const executions = writes.map(({ id, status, error, outputs, cost, node_execution_count, release }) => ({
      id,
      status,
      error,
      outputs,
      cost,
      node_execution_count,
      release,
    }));
    const rows = (await (manager ?? this.dataSource.manager).query(
      `WITH ex AS (
         SELECT id FROM executions WHERE id = ANY($2::uuid[]) AND lease_owner = $1 AND status = 'RUNNING' ORDER BY id FOR UPDATE
       ), nodes AS (
         INSERT INTO node_executions (id, execution_id, seq, node_id, block, status, inputs, outputs, error, attempt, delivered_seq,
           waiting_for, resume_at, attempts, cost, started_at, ended_at, reused)
         SELECT r.id, r.execution_id, r.seq, r.node_id, r.block, r.status, COALESCE(r.inputs, 'null'::jsonb), r.outputs, r.error, r.attempt, r.delivered_seq,
           r.waiting_for, r.resume_at, r.attempts, r.cost, r.started_at, r.ended_at, COALESCE(r.reused, false)
         FROM jsonb_to_recordset($3::jsonb) AS r(${RUN_RECORD}) JOIN ex ON ex.id = r.execution_id
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
           inputs = CASE WHEN EXCLUDED.inputs = 'null'::jsonb THEN node_executions.inputs ELSE EXCLUDED.inputs END, outputs = EXCLUDED.outputs,
           error = EXCLUDED.error, attempt = EXCLUDED.attempt, delivered_seq = EXCLUDED.delivered_seq, waiting_for = EXCLUDED.waiting_for,
           resume_at = EXCLUDED.resume_at, attempts = EXCLUDED.attempts, cost = EXCLUDED.cost, started_at = EXCLUDED.started_at,
           ended_at = EXCLUDED.ended_at, reused = EXCLUDED.reused
         RETURNING 1
       )
       UPDATE executions e SET status = COALESCE(w.status, e.status),
         error = CASE WHEN w.status IS NULL THEN e.error ELSE w.error END,
         outputs = COALESCE(w.outputs, e.outputs), cost = w.cost, node_execution_count = w.node_execution_count,
         lease_owner = CASE WHEN w.release OR w.status IS NOT NULL AND w.status <> 'RUNNING' THEN NULL ELSE e.lease_owner END,
         lease_until = CASE WHEN w.release OR w.status IS NOT NULL AND w.status <> 'RUNNING' THEN NULL ELSE e.lease_until END,
         waiting_since = CASE WHEN w.release AND w.status IS NULL THEN now() ELSE NULL END,
         updated_at = now()
       FROM jsonb_to_recordset($4::jsonb) AS w(id uuid, status text, error jsonb, outputs jsonb, cost int, node_execution_count int, release boolean)
       JOIN ex ON ex.id = w.id
       WHERE e.id = w.id AND (SELECT count(*) FROM nodes) >= 0
       RETURNING e.id, e.status, e.graph_id, e.graph_version, e.user_id, e.parent_id`,
      [owner, ids, JSON.stringify(runs), JSON.stringify(executions)],
    )) as [WrittenExecution[], number];
    return rows[0];
  }

  /** Renews every lease `owner` holds among `ids` in one statement; answers those still held and RUNNING. */
  async renew(owner: string, ids: string[], leaseMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    // Rows are locked in id order, like the step write's: two statements locking the same rows in different
    // orders deadlock (seen under load before this ordering).
    const rows = (await this.dataSource.query(
      `UPDATE executions e SET lease_until = now() + make_interval(secs => $3::float8 / 1000)
       FROM (SELECT id FROM executions WHERE id = ANY($2::uuid[]) AND lease_owner = $1 AND status = 'RUNNING' ORDER BY id FOR UPDATE) held
       WHERE e.id = held.id RETURNING e.id`,
      [owner, ids, leaseMs],
    )) as [Array<{ id: string }>, number];
    return rows[0].map((r) => r.id);
  }

  /** Gives leases back (shutdown): another worker may claim them at once. */
  async release(owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE executions e SET lease_until = now()
       FROM (SELECT id FROM executions WHERE id = ANY($2::uuid[]) AND lease_owner = $1 ORDER BY id FOR UPDATE) held WHERE e.id = held.id`,
      [owner, ids],
    );
  }

  async childResults(
    ids: string[],
  ): Promise<Array<{ id: string; status: ExecutionStatus; outputs: Record<string, unknown[]> | null; error: ExecutionError | null }>> {
    if (ids.length === 0) return [];
    return (await this.dataSource.query(`SELECT id, status, outputs, error FROM executions WHERE id = ANY($1::uuid[])`, [ids])) as Array<{
      id: string;
      status: ExecutionStatus;
      outputs: Record<string, unknown[]> | null;
      error: ExecutionError | null;
    }>;
  }
}

function firstRow<T>(result: [T[], number] | T[]): T | null {
  const rows = Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return rows[0] ?? null;
}
