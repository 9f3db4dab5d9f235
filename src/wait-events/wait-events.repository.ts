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
             AND w.expires_at > now() AND w.created_at >= e.created_at
           ORDER BY w.created_at, w.id LIMIT 1 FOR UPDATE SKIP LOCKED)
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
}
