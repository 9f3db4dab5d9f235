// The execution event bus (runtime.md "Events"): every state change is published after it is in Postgres,
// in order per execution, to every api process (Redis pub/sub when REDIS_URL is set, in-process otherwise).
// The executions shell publishes; the WebSocket gateway and `?wait=` answers subscribe. Sync publishes
// integration_changed (blocks/integrations/integration-changes.types.ts); every process follows it.
import type { IntegrationChangedEvent } from '../../blocks/integrations/integration-changes.types.js';

export type ExecutionEventName = 'graph_execution_update' | 'node_execution_update';

export interface ExecutionEvent {
  event: ExecutionEventName;
  /** The Execution shape (graph_execution_update) or the Node execution shape (node_execution_update). */
  data: { execution_id: string; graph_id: string; user_id: string; [key: string]: unknown };
}

export interface NotificationEvent {
  event: 'notification';
  /** The notification as GET /api/notifications answers it; `user_id` decides who may see it. */
  data: { id: string; user_id: string; [key: string]: unknown };
}

export type BusEvent = ExecutionEvent | NotificationEvent | IntegrationChangedEvent;

export interface EventBus {
  /** Publishes to every process. Never throws: a lost event must not fail an execution. */
  publish(event: BusEvent): Promise<void>;
  /** Publishes several events in order as one message (one step's changes): listeners still get them one by one. */
  publishAll(events: BusEvent[]): Promise<void>;
  /** Calls `listener` for every event from any process; answers an unsubscribe function. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}

/** Nest injection token for the EventBus. */
export const EVENT_BUS = Symbol('EVENT_BUS');
