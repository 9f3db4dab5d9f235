// The stored conversations of ai.agent node executions (ai_agent_conversations): the blocks' checkpoint
// store (blocks/agent-tools.runner.ts AgentCheckpointStore). One row per node execution, overwritten
// after every step; it goes with its node execution when executions are pruned.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AgentCheckpointStore } from '../../blocks/agent-tools.runner.js';

@Injectable()
export class AgentConversationsRepository implements AgentCheckpointStore {
  constructor(private readonly dataSource: DataSource) {}

  async load(nodeExecutionId: string): Promise<unknown> {
    const rows = (await this.dataSource.query(`SELECT state FROM ai_agent_conversations WHERE node_execution_id = $1`, [nodeExecutionId])) as {
      state: unknown;
    }[];
    return rows[0]?.state ?? null;
  }

  /** The stored conversations of these node executions, by id. */
  async loadMany(nodeExecutionIds: string[]): Promise<Map<string, unknown>> {
    if (!nodeExecutionIds.length) return new Map();
    const rows = (await this.dataSource.query(`SELECT node_execution_id, state FROM ai_agent_conversations WHERE node_execution_id = ANY($1::uuid[])`, [
      nodeExecutionIds,
    ])) as { node_execution_id: string; state: unknown }[];
    return new Map(rows.map((row) => [row.node_execution_id, row.state]));
  }

  async save(nodeExecutionId: string, state: unknown): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ai_agent_conversations (node_execution_id, state) VALUES ($1, $2::jsonb)
       ON CONFLICT (node_execution_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [nodeExecutionId, JSON.stringify(state)],
    );
  }
}
