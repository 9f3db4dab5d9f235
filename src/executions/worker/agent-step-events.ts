// ai.agent steps as execution events (release-2.md section 8): each trace entry (tool, arguments, result or
// error, tokens, credits) goes out as a `node_execution_update` of its node with the entry under `step`, once
// the conversation holding it is stored. They travel with the other execution events (same bus, same
// filter: the execution's user and admins only; interfaces.md "WebSocket").
import type { AgentCheckpointStore, AgentStepSource } from '../../blocks/agent-tools.runner.js';
import { NodeRunStatus } from '../engine/engine.types.js';
import type { ExecutionEvent } from '../events/execution-events.js';

/** The checkpoint store with `stepped` announcing each entry through `announce` (the worker's ordered outbox). */
export function withStepEvents(store: AgentCheckpointStore, announce: (events: ExecutionEvent[]) => void): AgentCheckpointStore {
  return {
    load: (id) => store.load(id),
    save: (id, state) => store.save(id, state),
    stepped: (source, steps) => announce(steps.map((step) => stepEvent(source, step))),
  };
}

export function stepEvent(source: AgentStepSource, step: unknown): ExecutionEvent {
  return {
    event: 'node_execution_update',
    data: {
      execution_id: source.executionId,
      graph_id: source.graphId ?? '',
      user_id: source.userId,
      id: source.nodeExecutionId,
      node_id: source.nodeId,
      block: 'ai.agent',
      status: NodeRunStatus.RUNNING,
      step,
    },
  };
}
