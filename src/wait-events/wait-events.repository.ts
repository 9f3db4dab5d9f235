// All SQL of wait.event: a waiter taking the earliest buffered event of its key (one that came after its
// execution was created), the waiters' view of what they consumed, and timeouts. `consumed_by` is unique:
// a node execution consumes at most one row, and a timeout row claims the waiter so no later event does.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WaitOwner } from '../executions/outside-waits.types.js';

export interface ConsumedRow {
  consumed_by: string;
  body: unknown;
  headers: Record<string, string>;
  timed_out: boolean;
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class WaitEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The waiter takes the earliest live buffered event of its key, if any; answers whether it did. */
  async consumeBuffered(owner: WaitOwner, key: string): Promise<boolean> {
    try {
      const rows = (await this.dataSource.query(
        `UPDATE wait_events SET consumed_by = $1 WHERE id = (
           SELECT w.id FROM wait_events w JOIN executions e ON e.id = $2
           WHERE w.graph_id = $3 AND w.node_id = $4 AND w.key = $5 AND w.consumed_by IS NULL AND NOT w.timed_out
             AND w.expires_at > now() AND w.created_at >= e.created_at AND (w.posted_by IS NULL OR w.posted_by = e.user_id)
           ORDER BY w.created_at, w.id LIMIT 1 FOR UPDATE OF w SKIP LOCKED)
         AND NOT EXISTS (SELECT 1 FROM wait_events c WHERE c.consumed_by = $1)
         RETURNING id`,
        [owner.node_execution_id, owner.execution_id, owner.graph_id, owner.node_id, key],
      )) as [Array<{ id: string }>, number] | Array<{ id: string }>;
      const list = Array.isArray(rows[0]) ? (rows[0] as Array<{ id: string }>) : (rows as Array<{ id: string }>);
      return list.length > 0;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  async consumed(nodeExecutionIds: string[]): Promise<ConsumedRow[]> {
    return (await this.dataSource.query(`SELECT consumed_by, body, headers, timed_out FROM wait_events WHERE consumed_by = ANY($1::uuid[])`, [
      nodeExecutionIds,
    ])) as ConsumedRow[];
  }

  /** Claims the waiter with a timeout row unless an event claimed it first; answers what claimed it. */
  async expire(nodeExecutionId: string): Promise<ConsumedRow | null> {
    await this.dataSource.query(
      `INSERT INTO wait_events (graph_id, node_id, key, consumed_by, timed_out, expires_at)
       SELECT e.graph_id, n.node_id, COALESCE(n.waiting_for->>'key', ''), n.id, true, now()
       FROM node_executions n JOIN executions e ON e.id = n.execution_id WHERE n.id = $1
       ON CONFLICT (consumed_by) DO NOTHING`,
      [nodeExecutionId],
    );
    const [row] = await this.consumed([nodeExecutionId]);
    return row ?? null;
  }

  /** Live buffered events of a node (for `wait_event.max_buffered`). */
  async bufferedCount(graphId: string, nodeId: string): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM wait_events WHERE graph_id = $1 AND node_id = $2 AND consumed_by IS NULL AND NOT timed_out AND expires_at > now()`,
      [graphId, nodeId],
    )) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  /** Stores an event; null when its Idempotency-Key was seen for this node (a resend: nothing happens). */
  async insert(event: {
    graph_id: string;
    node_id: string;
    key: string;
    body: unknown;
    headers: Record<string, string>;
    idempotency_key: string | null;
    posted_by: string | null;
    buffer_ms: number;
  }): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `INSERT INTO wait_events (graph_id, node_id, key, body, headers, idempotency_key, posted_by, expires_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, now() + make_interval(secs => $8::float8 / 1000))
       ON CONFLICT (graph_id, node_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
      [
        event.graph_id,
        event.node_id,
        event.key,
        JSON.stringify(event.body),
        JSON.stringify(event.headers),
        event.idempotency_key,
        event.posted_by,
        event.buffer_ms,
      ],
    )) as Array<{ id: string }>;
    return rows[0]?.id ?? null;
  }

  /**
   * Gives the event to the earliest waiter on its key (of an execution that existed when it arrived, and
   * the poster's own when posted with a user's key); answers the execution to wake, or null (it stays buffered).
   */
  async consumeByWaiter(eventId: string): Promise<string | null> {
    const waiters = (await this.dataSource.query(
      `SELECT n.id, n.execution_id FROM wait_events w
       JOIN executions e ON e.graph_id = w.graph_id AND e.status = 'RUNNING' AND e.created_at <= w.created_at AND (w.posted_by IS NULL OR e.user_id = w.posted_by)
       JOIN node_executions n ON n.execution_id = e.id AND n.node_id = w.node_id AND n.status = 'WAITING'
         AND n.waiting_for->>'kind' = 'event' AND n.waiting_for->>'key' = w.key
       WHERE w.id = $1 AND NOT EXISTS (SELECT 1 FROM wait_events c WHERE c.consumed_by = n.id)
       ORDER BY e.created_at, n.seq LIMIT 10`,
      [eventId],
    )) as Array<{ id: string; execution_id: string }>;
    for (const waiter of waiters) {
      try {
        const [taken] = (await this.dataSource.query(`UPDATE wait_events SET consumed_by = $2 WHERE id = $1 AND consumed_by IS NULL RETURNING id`, [
          eventId,
          waiter.id,
        ])) as [Array<{ id: string }>, number];
        if (taken.length > 0) return waiter.execution_id;
        return null; // someone else took the event (a waiter that started meanwhile)
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error; // that waiter got another event: try the next
      }
    }
    return null;
  }

  /** The wait.event nodes named `nodeId` in any version of the agent, with their secret credential names. */
  async eventNodes(graphId: string, nodeId: string): Promise<Array<{ secret: string | null; user_id: string | null; file: boolean }>> {
    return (await this.dataSource.query(
      `SELECT DISTINCT v.definition->'nodes'->$2::text->'credentials'->>'secret' AS secret, COALESCE(g.owner_id, g.created_by) AS user_id, g.source = 'file' AS file
       FROM graph_versions v JOIN graphs g ON g.id = v.graph_id
       WHERE v.graph_id = $1 AND v.definition->'nodes'->$2::text->>'block' = 'wait.event'`,
      [graphId, nodeId],
    )) as Array<{ secret: string | null; user_id: string | null; file: boolean }>;
  }
}
