// The one statement that creates executions: every way in (the execute API and re-runs, webhooks, GitHub,
// schedules, child executions) writes its QUEUED rows here, in the caller's transaction when it has one
// (a webhook delivery row, a schedule fire key, a parent's step), so both commit or neither does.
// File trust (file-trust.ts) is settled in the same statement, against the graph as it is at the commit, and
// a re-run or a retry keeps its original's vars snapshot (release-2.md section 2; other executions record theirs on
// their first claim). Single executions asked for in the same turn of the event loop (the execute API under
// load) go out as one statement and one commit; each caller is answered once its row is committed. The INSERT is a
// prepared statement (parsed and planned once per connection: that cost more backend CPU than writing 13 rows).
// A row claimed at admission (LocalClaim: this process's worker runs it at once) is written RUNNING under the
// worker's lease and deadline, as its claim would have set them, and answers what the worker starts from.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EXECUTION_COLUMNS, type ExecutionRow } from '../executions.repository.js';
import type { AdmissionStore, AdmittedExecution, ClaimFacts } from './admission.types.js';
import { TickBatcher } from '../tick-batcher.js';
import { preparedQuery } from '../../database/prepared-query.js';

const INSERT = `WITH rows AS (
  SELECT r.* FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, graph_id text, graph_version int, source text, user_id text, trigger_node text,
    trigger_event jsonb, inputs jsonb, credentials jsonb, preset_id uuid, rerun_of uuid, retry_of uuid, schedule_id uuid, parent_id uuid,
    parent_node_execution_id uuid, depth int, trust text, lease_owner text, lease_ms float8, timeout_ms float8)
)
INSERT INTO executions (id, graph_id, graph_version, source, user_id, trigger_node, trigger_event, inputs, credentials, preset_id, rerun_of, retry_of,
  schedule_id, parent_id, parent_node_execution_id, depth, file_trust, vars, status, lease_owner, lease_until, deadline_at)
SELECT r.id, r.graph_id, r.graph_version, r.source, r.user_id, r.trigger_node, r.trigger_event, COALESCE(r.inputs, '{}'::jsonb),
  COALESCE(r.credentials, '{}'::jsonb), r.preset_id, r.rerun_of, r.retry_of, r.schedule_id, r.parent_id, r.parent_node_execution_id, COALESCE(r.depth, 0),
  CASE r.trust WHEN 'admitted' THEN true WHEN 'none' THEN false ELSE
    -- a file agent's active version, started by its own trigger, or as the child of an admitted execution or of an admin's
    EXISTS (SELECT 1 FROM graphs g WHERE g.id = r.graph_id AND g.source = 'file' AND g.active_version = r.graph_version)
      AND (r.trust = 'own-trigger' OR EXISTS (SELECT 1 FROM executions p WHERE p.id = r.parent_id AND p.file_trust)
        OR EXISTS (SELECT 1 FROM users u WHERE u.id = r.user_id AND u.role = 'admin'))
  END,
  (SELECT o.vars FROM executions o WHERE o.id = COALESCE(r.rerun_of, r.retry_of)),
  CASE WHEN r.lease_owner IS NULL THEN 'QUEUED' ELSE 'RUNNING' END, r.lease_owner,
  now() + make_interval(secs => r.lease_ms / 1000), now() + make_interval(secs => r.timeout_ms / 1000)
FROM rows r`;
/** What a claim at admission starts from (ClaimFacts); started_at is stamped by the status trigger. */
const CLAIM_FACTS = 'inputs, trigger_event, credentials, file_trust, vars, started_at, deadline_at';
type InsertedRow = ExecutionRow & ClaimFacts;

@Injectable()
export class AdmissionRepository implements AdmissionStore<ExecutionRow> {
  /** Rows waiting for this turn's statement, and why a row of a refused group failed on its own. */
  private readonly waiting = new Map<string, AdmittedExecution>();
  private readonly refused = new Map<string, unknown>();
  private readonly grouped = new TickBatcher<string, InsertedRow>((ids) => this.insertGroup(ids));

  constructor(private readonly dataSource: DataSource) {}

  /** One execution, answered as the execution API shows it (once committed: with others of this turn when there is no `manager`). */
  async insertOne(row: AdmittedExecution, manager?: EntityManager): Promise<InsertedRow> {
    if (manager) return (await this.insertReturning([row], manager))[0]!;
    this.waiting.set(row.id, row);
    const inserted = await this.grouped.get(row.id);
    if (inserted) return inserted;
    const error = this.refused.get(row.id);
    this.refused.delete(row.id);
    throw error ?? new Error(`execution ${row.id} was not inserted`);
  }

  /** A group in one statement; when the database refuses it, each row alone (one bad row fails only its own request). */
  private async insertGroup(ids: string[]): Promise<Map<string, InsertedRow>> {
    const rows = ids.map((id) => this.waiting.get(id)!);
    for (const id of ids) this.waiting.delete(id);
    try {
      return new Map((await this.insertReturning(rows)).map((row) => [row.id, row]));
    } catch (error) {
      if (rows.length === 1) throw error;
      const inserted = new Map<string, InsertedRow>();
      for (const row of rows) {
        try {
          inserted.set(row.id, (await this.insertReturning([row]))[0]!);
        } catch (rowError) {
          this.refused.set(row.id, rowError);
        }
      }
      return inserted;
    }
  }

  private async insertReturning(rows: readonly AdmittedExecution[], manager?: EntityManager): Promise<InsertedRow[]> {
    return this.insert(rows, `${EXECUTION_COLUMNS}, file_trust, vars, deadline_at`, manager);
  }

  /** Many executions in one statement (group commit); their ids were made by the caller. Answers the rows claimed at admission. */
  async insertMany(rows: readonly AdmittedExecution[], manager?: EntityManager): Promise<ClaimFacts[]> {
    if (rows.length === 0) return [];
    if (rows.some((row) => row.lease_owner))
      return (await this.insert(rows, `id, lease_owner, ${CLAIM_FACTS}`, manager)).filter((row) => (row as { lease_owner?: string }).lease_owner);
    await preparedQuery(manager ?? this.dataSource, INSERT, [JSON.stringify(rows)]);
    return [];
  }

  private async insert(rows: readonly AdmittedExecution[], returning: string, manager?: EntityManager): Promise<InsertedRow[]> {
    return preparedQuery<InsertedRow>(manager ?? this.dataSource, `${INSERT} RETURNING ${returning}`, [JSON.stringify(rows)]);
  }
}
