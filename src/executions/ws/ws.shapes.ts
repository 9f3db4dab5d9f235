// The current state sent on subscribe, in the same shapes as the REST API and the bus events (the
// executions shell's views), plus the fields every event carries for routing.
import type { ExecutionEntity } from '../execution.entity.js';
import { executionView, nodeExecutionView } from '../executions.views.js';
import type { NodeExecutionEntity } from '../node-execution.entity.js';
import { runRecordOfRow } from '../node-run-rows.js';

/** The Execution shape, plus `execution_id` (every event carries it). */
export function executionShape(row: ExecutionEntity): Record<string, unknown> & { execution_id: string } {
  return { ...executionView(row), execution_id: row.id };
}

/** The Node execution shape; `graph_id` and `user_id` come from its execution, as on the bus. */
export function nodeExecutionShape(row: NodeExecutionEntity, execution: Pick<ExecutionEntity, 'graph_id' | 'user_id'>): Record<string, unknown> {
  return { ...nodeExecutionView(runRecordOfRow(row)), graph_id: execution.graph_id, user_id: execution.user_id };
}
