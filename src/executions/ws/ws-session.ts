// One WebSocket client: its principal, its subscriptions and what it may see. Messages are handled one at
// a time in arrival order; events from the bus are filtered here (admins see everything, a user the
// executions billed to them and their own notifications).
import type { Principal } from '../../auth/principal.js';
import { AppError } from '../../common/errors.js';
import type { BusEvent } from '../events/execution-events.js';
import { FINISHED_EXECUTION_STATUSES } from '../execution.entity.js';
import { isWsError, parseClientMessage, WsErrorCode, wsError, type WsAction, type WsOutgoing, type WsTarget } from './ws.protocol.js';
import { executionShape, nodeExecutionShape } from './ws.shapes.js';
import type { WsStateRepository } from './ws-state.repository.js';

/** Subscriptions one socket may hold at once. */
export const MAX_SUBSCRIPTIONS = 1_000;

export interface WsSessionDeps {
  authenticate(token: string): Promise<Principal>;
  state: Pick<WsStateRepository, 'executionState' | 'graph'>;
  send(message: WsOutgoing): void;
  /** Closes the socket (policy violation) after the last message went out. */
  close(code: number, reason: string): void;
  /** Told about unexpected failures (logged by the gateway). */
  failed?(error: unknown): void;
}

export class WsSession {
  private principal: Principal | null = null;
  private readonly executions = new Set<string>();
  private readonly graphs = new Set<string>();
  /** Executions whose current state is being read: their events wait here, then follow the state. */
  private readonly loading = new Map<string, BusEvent[]>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: WsSessionDeps) {}

  get authenticated(): boolean {
    return this.principal !== null;
  }

  /** `?token=`: authenticates before any message is handled; a bad token closes the socket. */
  authenticateWith(token: string): void {
    this.enqueue(async () => {
      if (!(await this.auth(token))) this.deps.close(1008, 'authentication failed');
    });
  }

  receive(text: string): void {
    this.enqueue(() => this.handle(text));
  }

  /** Waits for every message received so far to be handled (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  deliver(event: BusEvent): void {
    // integration_changed is for the processes (integration-changes.types.ts), never for a client.
    if (!this.principal || event.event === 'integration_changed' || !this.mayReceive(event)) return;
    if (event.event !== 'notification') {
      const buffer = this.loading.get(event.data.execution_id);
      if (buffer) {
        buffer.push(event);
        return;
      }
    }
    this.deps.send({ event: event.event, data: event.data });
  }

  private mayReceive(event: Exclude<BusEvent, { event: 'integration_changed' }>): boolean {
    const principal = this.principal!;
    if (event.event === 'notification') return event.data.user_id === principal.user.id && principal.scopes.has('account');
    const subscribed = this.executions.has(event.data.execution_id) || this.graphs.has(event.data.graph_id);
    return subscribed && (principal.role === 'admin' || event.data.user_id === principal.user.id);
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.deps.failed?.(error);
      this.deps.send(wsError(WsErrorCode.INTERNAL, 'The server could not handle that message; try again in a moment.'));
    });
  }

  private async handle(text: string): Promise<void> {
    const parsed = parseClientMessage(text);
    if (isWsError(parsed)) return this.deps.send(wsError(parsed.code, parsed.message));
    if (parsed.action === 'auth') {
      await this.auth(parsed.token);
      return;
    }
    if (!this.principal) {
      return this.deps.send(
        wsError(WsErrorCode.UNAUTHENTICATED, 'Authenticate first: send {"action":"auth","token":"<JWT or API key>"}, or connect to /ws?token=<token>.'),
      );
    }
    if (!this.principal.scopes.has('executions:read')) {
      return this.deps.send(
        wsError(WsErrorCode.FORBIDDEN, 'Your API key lacks the scope executions:read, which watching executions needs. Create a key with that scope.'),
      );
    }
    if (parsed.action === 'unsubscribe') return this.unsubscribe(parsed);
    return parsed.execution_id !== undefined ? this.subscribeExecution(parsed.execution_id) : this.subscribeGraph(parsed.graph_id);
  }

  private async auth(token: string): Promise<boolean> {
    try {
      this.principal = await this.deps.authenticate(token);
    } catch (error) {
      const why = error instanceof AppError && error.status === 401 ? error.message : 'The token could not be checked.';
      this.deps.send(wsError(WsErrorCode.UNAUTHENTICATED, `${why} Send {"action":"auth","token":"<JWT or API key>"} with a valid token.`));
      return false;
    }
    const { user, role } = this.principal;
    this.deps.send({ event: 'authenticated', data: { user_id: user.id, handle: user.handle, role } });
    return true;
  }

  private unsubscribe(target: WsAction & WsTarget): void {
    if (target.execution_id !== undefined) this.executions.delete(target.execution_id);
    else this.graphs.delete(target.graph_id!);
    this.deps.send({ event: 'unsubscribed', data: target.execution_id !== undefined ? { execution_id: target.execution_id } : { graph_id: target.graph_id! } });
  }

  private tooMany(): boolean {
    if (this.executions.size + this.graphs.size < MAX_SUBSCRIPTIONS) return false;
    this.deps.send(
      wsError(
        WsErrorCode.TOO_MANY_SUBSCRIPTIONS,
        `This socket already holds ${MAX_SUBSCRIPTIONS} subscriptions; unsubscribe from some, or subscribe to a graph_id instead of each execution.`,
      ),
    );
    return true;
  }

  private async subscribeExecution(id: string): Promise<void> {
    if (this.executions.has(id) || this.tooMany()) return;
    const principal = this.principal!;
    // Listen first, read second: events published while the state is read are held, then follow it.
    this.loading.set(id, []);
    this.executions.add(id);
    let state;
    try {
      state = await this.deps.state.executionState(id);
    } catch (error) {
      this.loading.delete(id);
      this.executions.delete(id);
      throw error;
    }
    const held = this.loading.get(id) ?? [];
    this.loading.delete(id);
    if (!state || (principal.role !== 'admin' && state.execution.user_id !== principal.user.id)) {
      this.executions.delete(id);
      return this.deps.send(
        wsError(WsErrorCode.NOT_FOUND, `No execution "${id}" exists, or you may not see it. Check the id (list them with GET /api/executions).`),
      );
    }
    const { execution, nodes } = state;
    this.deps.send({ event: 'subscribed', data: { execution_id: id } });
    this.deps.send({ event: 'graph_execution_update', data: executionShape(execution) });
    for (const node of nodes) this.deps.send({ event: 'node_execution_update', data: nodeExecutionShape(node, execution) });
    // A finished execution's state is complete: held events are older news and would read as a step back.
    const finished = (FINISHED_EXECUTION_STATUSES as readonly string[]).includes(execution.status);
    if (!finished) for (const event of held) this.deps.send({ event: event.event, data: event.data });
  }

  private async subscribeGraph(id: string): Promise<void> {
    if (this.graphs.has(id) || this.tooMany()) return;
    const principal = this.principal!;
    const graph = await this.deps.state.graph(id);
    const visible = graph && (principal.role === 'admin' || graph.source === 'file' || graph.created_by === principal.user.id);
    if (!visible) {
      return this.deps.send(
        wsError(WsErrorCode.NOT_FOUND, `No graph "${id}" exists, or you may not see it. Check the agent name (list them with GET /api/graphs).`),
      );
    }
    this.graphs.add(id);
    this.deps.send({ event: 'subscribed', data: { graph_id: id } });
  }
}
