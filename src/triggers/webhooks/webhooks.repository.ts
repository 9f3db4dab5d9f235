// SQL of webhook and GitHub deliveries: each request's delivery row (when deduplicated) and its executions
// are written by ONE statement, so a duplicate can never create an execution and a crash can never leave a
// delivery without its executions. Execution ids are made here, so the answer is known before the write.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ADMIN_HANDLE } from '../../users/users.service.js';

export interface TriggeredExecution {
  graph_id: string;
  graph_version: number;
  user_id: string;
  trigger_node: string;
  trigger_event: Record<string, unknown>;
}

export interface DeliveryKey {
  /** `webhook:<agent>/<node>` or `github`. */
  scope: string;
  key: string;
  body_hash: string;
  window_ms: number;
}

export interface StoredDelivery {
  body_hash: string;
  status_code: number | null;
  response: unknown;
  execution_ids: string[];
}

/** The first answer of a delivery: written with it, replayed to duplicates. */
export interface DeliveryAnswer {
  status_code: number;
  response: unknown;
}

type Created = { created: true; execution_ids: string[] } | { created: false; existing: StoredDelivery };

@Injectable()
export class WebhooksRepository {
  private adminId: Promise<string> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = (await this.dataSource.query(sql, params)) as T[] | [T[], number];
    return Array.isArray(result[0]) && result.length === 2 && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
  }

  /** The built-in admin's id (billed when an agent names no owner); read once per process. */
  adminUserId(): Promise<string> {
    this.adminId ??= this.query<{ id: string }>(`SELECT id FROM users WHERE handle = $1`, [ADMIN_HANDLE]).then((rows) => {
      if (!rows[0]) {
        this.adminId = null;
        throw new Error('the built-in admin user does not exist yet');
      }
      return rows[0].id;
    });
    return this.adminId;
  }

  /** Executions without a delivery row (no Idempotency-Key): one INSERT. */
  async createExecutions(executions: readonly TriggeredExecution[], source: 'webhook' | 'github'): Promise<string[]> {
    if (executions.length === 0) return [];
    const ids = executions.map(() => randomUUID());
    await this.query(`${INSERT_EXECUTIONS} SELECT *, ${FILE_TRUST} FROM rows`, [JSON.stringify(withIds(executions, ids, source))]);
    return ids;
  }

  /**
   * The delivery row and its executions in one statement. The `(scope, key)` primary key settles races:
   * a concurrent duplicate waits for the first statement to commit, then conflicts and creates nothing.
   * An expired row (older than the window) is replaced. Answers the stored delivery for duplicates.
   */
  async createWithDelivery(
    delivery: DeliveryKey,
    executions: readonly TriggeredExecution[],
    source: 'webhook' | 'github',
    answer: (ids: string[]) => DeliveryAnswer,
  ): Promise<Created> {
    const ids = executions.map(() => randomUUID());
    const first = answer(ids);
    const rows = await this.query<{ key: string }>(
      `WITH delivery AS (
         INSERT INTO webhook_deliveries AS d (scope, key, body_hash, status_code, response, execution_ids, expires_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::uuid[], now() + make_interval(secs => $7::float8 / 1000))
         ON CONFLICT (scope, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response,
           execution_ids = EXCLUDED.execution_ids, created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE d.expires_at < now()
         RETURNING d.key
       ), ${EXECUTION_ROWS}, inserted AS (
         INSERT INTO executions (id, graph_id, graph_version, source, user_id, trigger_node, trigger_event, file_trust)
         SELECT *, ${FILE_TRUST} FROM rows WHERE EXISTS (SELECT 1 FROM delivery) RETURNING id
       )
       SELECT key FROM delivery WHERE (SELECT count(*) FROM inserted) >= 0`,
      [
        delivery.scope,
        delivery.key,
        delivery.body_hash,
        first.status_code,
        JSON.stringify(first.response),
        ids,
        delivery.window_ms,
        JSON.stringify(withIds(executions, ids, source)),
      ],
    );
    if (rows.length > 0) return { created: true, execution_ids: ids };
    const existing = await this.query<StoredDelivery>(
      `SELECT body_hash, status_code, response, execution_ids FROM webhook_deliveries WHERE scope = $1 AND key = $2`,
      [delivery.scope, delivery.key],
    );
    // The row can only be missing if retention removed it between the two statements: treat as a conflict-free replay.
    return {
      created: false,
      existing: existing[0] ?? { body_hash: delivery.body_hash, status_code: first.status_code, response: first.response, execution_ids: [] },
    };
  }

  /** Replaces the stored first answer (a ?wait= answer known only after the execution finished). */
  async recordAnswer(scope: string, key: string, answer: DeliveryAnswer): Promise<void> {
    await this.query(`UPDATE webhook_deliveries SET status_code = $3, response = $4::jsonb WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      answer.status_code,
      JSON.stringify(answer.response),
    ]);
  }

  /** Housekeeping: removes up to `limit` deliveries past their window; answers how many. */
  async deleteExpired(limit: number): Promise<number> {
    const rows = await this.query<{ key: string }>(
      `DELETE FROM webhook_deliveries WHERE (scope, key) IN (SELECT scope, key FROM webhook_deliveries WHERE expires_at < now() LIMIT $1) RETURNING key`,
      [limit],
    );
    return rows.length;
  }
}

const EXECUTION_ROWS = `rows AS (
  SELECT r.id, r.graph_id, r.graph_version, r.source, r.user_id, r.trigger_node, r.trigger_event
  FROM jsonb_to_recordset($8::jsonb) AS r(id uuid, graph_id text, graph_version int, source text, user_id text, trigger_node text, trigger_event jsonb)
)`;

const INSERT_EXECUTIONS = `WITH rows AS (
  SELECT r.id, r.graph_id, r.graph_version, r.source, r.user_id, r.trigger_node, r.trigger_event
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, graph_id text, graph_version int, source text, user_id text, trigger_node text, trigger_event jsonb)
)
INSERT INTO executions (id, graph_id, graph_version, source, user_id, trigger_node, trigger_event, file_trust)`;

/** File trust (executions/file-trust.ts): the agent's own trigger fired, so a file agent's active version is admitted. */
const FILE_TRUST = `EXISTS (SELECT 1 FROM graphs g WHERE g.id = rows.graph_id AND g.source = 'file' AND g.active_version = rows.graph_version)`;

function withIds(executions: readonly TriggeredExecution[], ids: readonly string[], source: string) {
  return executions.map((execution, index) => ({ id: ids[index], source, ...execution }));
}
