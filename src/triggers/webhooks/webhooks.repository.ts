// SQL of webhook and GitHub deliveries (`webhook_deliveries`, one row per Idempotency-Key or X-GitHub-Delivery):
// the row is written in the same transaction as its executions (admitted by executions/admission), so a
// duplicate can never create an execution and a crash can never leave a delivery without its executions.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

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
  /** Set when the first answer was shaped by `http_response`: a replay answers its status and these headers. */
  headers: Record<string, string> | null;
  execution_ids: string[];
}

/** The first answer of a delivery: written with it, replayed to duplicates. */
export interface DeliveryAnswer {
  status_code: number;
  response: unknown;
  headers?: Record<string, string> | null;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async query<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    const result = (await (manager ?? this.dataSource.manager).query(sql, params)) as T[] | [T[], number];
    return Array.isArray(result[0]) && result.length === 2 && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * The delivery row, in `manager`'s transaction: true when this request is the first of its key (or the
   * stored row was past its window and is replaced). The `(scope, key)` primary key settles races: a
   * concurrent duplicate waits for the first transaction to commit, then conflicts and answers false.
   */
  async claim(delivery: DeliveryKey, answer: DeliveryAnswer, executionIds: readonly string[], manager: EntityManager): Promise<boolean> {
    const rows = await this.query<{ key: string }>(
      `INSERT INTO webhook_deliveries AS d (scope, key, body_hash, status_code, response, execution_ids, expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::uuid[], now() + make_interval(secs => $7::float8 / 1000))
       ON CONFLICT (scope, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response, headers = NULL,
         execution_ids = EXCLUDED.execution_ids, created_at = now(), expires_at = EXCLUDED.expires_at
       WHERE d.expires_at < now()
       RETURNING d.key`,
      [delivery.scope, delivery.key, delivery.body_hash, answer.status_code, JSON.stringify(answer.response), executionIds, delivery.window_ms],
      manager,
    );
    return rows.length > 0;
  }

  async find(scope: string, key: string): Promise<StoredDelivery | null> {
    const rows = await this.query<StoredDelivery>(
      `SELECT body_hash, status_code, response, headers, execution_ids FROM webhook_deliveries WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    return rows[0] ?? null;
  }

  /** Replaces the stored first answer (a ?wait= answer known only after the execution finished). */
  async recordAnswer(scope: string, key: string, answer: DeliveryAnswer): Promise<void> {
    await this.query(`UPDATE webhook_deliveries SET status_code = $3, response = $4::jsonb, headers = $5::jsonb WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      answer.status_code,
      JSON.stringify(answer.response),
      answer.headers ? JSON.stringify(answer.headers) : null,
    ]);
  }

  /**
   * For `respond: by_output`: the execution's status and the first value that reached its `http_response`
   * output (an output node named so, or with that id and no name), null while none has.
   */
  async earlyAnswer(executionId: string): Promise<{ status: string; answer: unknown } | null> {
    const rows = await this.query<{ status: string; answer: unknown }>(
      `SELECT e.status, (SELECT n.inputs -> 'value' FROM node_executions n
          WHERE n.execution_id = e.id AND n.block = 'output' AND n.status = 'COMPLETED'
            AND coalesce(n.inputs ->> 'name', n.node_id) = 'http_response'
          ORDER BY n.seq LIMIT 1) AS answer
       FROM executions e WHERE e.id = $1`,
      [executionId],
    );
    return rows[0] ?? null;
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
