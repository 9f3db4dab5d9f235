// All SQL of reviews: opening one per waiting node execution (under the per-agent pending limit), the
// decision (once: a conditional UPDATE), timeouts, cancellation with the execution, the lists a caller may
// see, and the reviewers' one-time link tokens (stored as SHA-256).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ReviewRequest } from '../executions/engine/wait-suspensions.js';
import type { WaitOwner } from '../executions/outside-waits.types.js';
import type { ReviewDecisionRecord, ReviewEntity, ReviewStatus, StoredReviewers } from './review.entity.js';

/** A review row with its execution's status (a pending review of a finished execution reads as cancelled). */
export type ReviewRow = ReviewEntity & { execution_status: string; graph_version?: number };

export interface ReviewerUser {
  id: string;
  handle: string;
  role: string;
}

const SELECT = `SELECT r.*, e.status AS execution_status FROM reviews r JOIN executions e ON e.id = r.execution_id`;

@Injectable()
export class ReviewsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The review of this node execution, opened now unless it exists (a re-run after a crash). Answers
   * `limit` when the agent already has `max` pending reviews.
   */
  async open(owner: WaitOwner, request: ReviewRequest, reviewers: StoredReviewers, max: number): Promise<{ row: ReviewRow; created: boolean } | 'limit'> {
    return this.dataSource.transaction(async (manager) => {
      const call = owner.tool_call_id ?? '';
      const existing = (await manager.query(`${SELECT} WHERE r.node_execution_id = $1 AND r.tool_call_id = $2`, [
        owner.node_execution_id,
        call,
      ])) as ReviewRow[];
      if (existing[0]) return { row: existing[0], created: false };
      // One opener per agent at a time, so the count and the insert agree.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('reviews:' || $1))`, [owner.graph_id]);
      const [{ pending }] = (await manager.query(
        `SELECT count(*)::int AS pending FROM reviews r JOIN executions e ON e.id = r.execution_id WHERE r.graph_id = $1 AND r.status = 'pending' AND e.status = 'RUNNING'`,
        [owner.graph_id],
      )) as [{ pending: number }];
      if (pending >= max) return 'limit';
      const inserted = (await manager.query(
        `INSERT INTO reviews (execution_id, node_execution_id, node_id, graph_id, user_id, title, body, data, decisions, schema, reviewers, on_timeout, expires_at, tool_call_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12, now() + make_interval(secs => $13::float8 / 1000), $14)
         ON CONFLICT (node_execution_id, tool_call_id) DO NOTHING RETURNING id`,
        [
          owner.execution_id,
          owner.node_execution_id,
          owner.node_id,
          owner.graph_id,
          owner.user_id,
          request.title,
          request.body,
          JSON.stringify(request.data),
          JSON.stringify(request.decisions),
          request.schema === null ? null : JSON.stringify(request.schema),
          JSON.stringify(reviewers),
          request.on_timeout,
          request.timeout_ms,
          call,
        ],
      )) as Array<{ id: string }>;
      const [row] = (await manager.query(`${SELECT} WHERE r.node_execution_id = $1 AND r.tool_call_id = $2`, [owner.node_execution_id, call])) as ReviewRow[];
      return { row: row!, created: inserted.length > 0 };
    });
  }

  /** The tool-call reviews of one ai.agent node execution. */
  async ofToolCalls(nodeExecutionId: string): Promise<ReviewRow[]> {
    return (await this.dataSource.query(`${SELECT} WHERE r.node_execution_id = $1 AND r.tool_call_id <> ''`, [nodeExecutionId])) as ReviewRow[];
  }

  async get(id: string): Promise<ReviewRow | null> {
    const rows = (await this.dataSource.query(`${SELECT} WHERE r.id = $1`, [id])) as ReviewRow[];
    return rows[0] ?? null;
  }

  /** The reviews among `ids` that are no longer pending. */
  async ended(ids: string[]): Promise<ReviewRow[]> {
    return (await this.dataSource.query(`${SELECT} WHERE r.id = ANY($1::uuid[]) AND r.status <> 'pending'`, [ids])) as ReviewRow[];
  }

  /**
   * Records the decision if the review is still pending and its execution still runs (one statement: the
   * first decision wins); its tokens die with it. Answers the decided row, or null when it was not pending.
   */
  async decide(id: string, status: ReviewStatus, data: unknown, decision: ReviewDecisionRecord): Promise<ReviewRow | null> {
    return this.dataSource.transaction(async (manager) => {
      const result = (await manager.query(
        `UPDATE reviews r SET status = $2, data = $3::jsonb, decision = $4::jsonb
         FROM executions e WHERE r.id = $1 AND r.status = 'pending' AND e.id = r.execution_id AND e.status = 'RUNNING'
         RETURNING r.*, e.status AS execution_status`,
        [id, status, JSON.stringify(data), JSON.stringify(decision)],
      )) as [ReviewRow[], number];
      // An UPDATE ... RETURNING answers [rows, count] through TypeORM.
      const rows = result[0];
      if (rows[0]) await manager.query(`DELETE FROM review_tokens WHERE review_id = $1`, [id]);
      return rows[0] ?? null;
    });
  }

  /** Times the review out unless it was decided first; its tokens die with it. */
  async expire(id: string): Promise<ReviewRow | null> {
    await this.dataSource.query(
      `WITH expired AS (
         UPDATE reviews SET status = 'timed_out',
           decision = jsonb_build_object('decision', on_timeout, 'by', NULL, 'by_user_id', NULL, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'comment', NULL, 'via', 'timeout')
         WHERE id = $1 AND status = 'pending' RETURNING id)
       DELETE FROM review_tokens WHERE review_id IN (SELECT id FROM expired)`,
      [id],
    );
    return this.get(id);
  }

  /** Reviews waiting for a decision, of executions still running (the metrics' gauge). */
  async pendingCount(): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM reviews r JOIN executions e ON e.id = r.execution_id WHERE r.status = 'pending' AND e.status = 'RUNNING'`,
    )) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  /** Cancels the pending reviews of executions that ended (the executions of one turn: one statement). */
  async cancelForExecutions(executionIds: string[]): Promise<void> {
    if (executionIds.length === 0) return;
    await this.dataSource.query(
      `WITH cancelled AS (UPDATE reviews SET status = 'cancelled' WHERE execution_id = ANY($1::uuid[]) AND status = 'pending' RETURNING id)
       DELETE FROM review_tokens WHERE review_id IN (SELECT id FROM cancelled)`,
      [executionIds],
    );
  }

  /**
   * The reviews `user` may see (admins: all): named reviewer (by id or role), or the execution's user;
   * newest first, after a (created_at, id) cursor.
   */
  async list(
    user: ReviewerUser,
    isAdmin: boolean,
    filter: { status?: string; limit: number; after?: { created_at: string; id: string } },
  ): Promise<ReviewRow[]> {
    // Only parameters the query uses: Postgres cannot type an unused one (an admin's list has no user filter).
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (!isAdmin) {
      const id = param(user.id);
      where.push(`(r.user_id = ${id} OR r.reviewers->'users' ? ${id} OR r.reviewers->'roles' ? ${param(user.role)})`);
    }
    if (filter.status) {
      // A pending review of a finished execution is cancelled (the worker marks it so shortly).
      if (filter.status === 'pending') where.push(`r.status = 'pending' AND e.status = 'RUNNING'`);
      else if (filter.status === 'cancelled') where.push(`(r.status = 'cancelled' OR (r.status = 'pending' AND e.status <> 'RUNNING'))`);
      else where.push(`r.status = ${param(filter.status)}`);
    }
    if (filter.after) where.push(`(r.created_at, r.id) < (${param(filter.after.created_at)}::timestamptz, ${param(filter.after.id)}::uuid)`);
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.id DESC LIMIT ${param(filter.limit + 1)}`;
    return (await this.dataSource.query(sql, params)) as ReviewRow[];
  }

  /** Users by handle (for `reviewers.users`), and the handles of user ids (for `decision.by`). */
  async usersByHandle(handles: string[]): Promise<ReviewerUser[]> {
    if (handles.length === 0) return [];
    return (await this.dataSource.query(`SELECT id, handle, role FROM users WHERE handle = ANY($1::text[])`, [handles])) as ReviewerUser[];
  }

  async usersById(ids: string[]): Promise<ReviewerUser[]> {
    if (ids.length === 0) return [];
    return (await this.dataSource.query(`SELECT id, handle, role FROM users WHERE id = ANY($1::text[])`, [ids])) as ReviewerUser[];
  }

  async usersByRole(roles: string[]): Promise<ReviewerUser[]> {
    if (roles.length === 0) return [];
    return (await this.dataSource.query(`SELECT id, handle, role FROM users WHERE role = ANY($1::text[]) ORDER BY created_at LIMIT 1000`, [
      roles,
    ])) as ReviewerUser[];
  }

  /** The agent's owner for default reviewers: a file agent's owner (else null: admins), an API graph's creator. */
  async graphOwner(graphId: string): Promise<{ source: string; owner_id: string | null; created_by: string | null } | null> {
    const rows = (await this.dataSource.query(`SELECT source, owner_id, created_by FROM graphs WHERE id = $1`, [graphId])) as Array<{
      source: string;
      owner_id: string | null;
      created_by: string | null;
    }>;
    return rows[0] ?? null;
  }

  async insertTokens(tokens: Array<{ token_hash: string; review_id: string; user_id: string }>): Promise<void> {
    if (tokens.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO review_tokens (token_hash, review_id, user_id) SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(token_hash text, review_id uuid, user_id text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(tokens)],
    );
  }

  /** The user of a live token for this review (pending, execution running), or null. */
  async tokenUser(reviewId: string, tokenHash: string): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `SELECT t.user_id FROM review_tokens t JOIN reviews r ON r.id = t.review_id JOIN executions e ON e.id = r.execution_id
       WHERE t.token_hash = $1 AND t.review_id = $2 AND r.status = 'pending' AND e.status = 'RUNNING'`,
      [tokenHash, reviewId],
    )) as Array<{ user_id: string }>;
    return rows[0]?.user_id ?? null;
  }
}
