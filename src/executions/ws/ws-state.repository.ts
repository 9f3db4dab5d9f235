// The reads of the WebSocket gateway: an execution and its node executions (the state sent on subscribe)
// and who may see a graph.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ExecutionEntity } from '../execution.entity.js';
import { NodeExecutionEntity } from '../node-execution.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GraphVisibility {
  id: string;
  source: 'file' | 'api';
  created_by: string | null;
}

@Injectable()
export class WsStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The execution and its node executions in creation order, read in one snapshot; null if unknown. */
  async executionState(id: string): Promise<{ execution: ExecutionEntity; nodes: NodeExecutionEntity[] } | null> {
    if (!UUID.test(id)) return null;
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const execution = await manager.getRepository(ExecutionEntity).findOneBy({ id });
      if (!execution) return null;
      const nodes = await manager.getRepository(NodeExecutionEntity).find({ where: { execution_id: id }, order: { seq: 'ASC' } });
      return { execution, nodes };
    });
  }

  async graph(id: string): Promise<GraphVisibility | null> {
    const rows: GraphVisibility[] = await this.dataSource.query('SELECT id, source, created_by FROM graphs WHERE id = $1', [id]);
    return rows[0] ?? null;
  }
}
