// Follows one execution on a server until it ends, printing a line per node change: over the WebSocket
// (subscribing sends the current state first, so the end is never missed), else by polling the REST API.
import type { ExecutionView, NodeExecutionView } from '../../executions/executions.views.js';
import { RemoteError, type RemoteClient } from './remote-client.js';

export const FINAL_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const;

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export interface WatchOptions {
  /** Called once per change of a node execution's status. */
  onNode(node: NodeExecutionView): void;
  /** Ends the watch early (Ctrl-C); the execution goes on on the server. */
  signal?: AbortSignal;
  /** Poll interval when the WebSocket is not available. */
  pollMs?: number;
}

export type WatchResult = { ended: true; execution: ExecutionView } | { ended: false };

/** Prints each node status once, however many times the server sends it. */
class NodeChanges {
  private readonly seen = new Map<string, string>();
  constructor(private readonly onNode: (node: NodeExecutionView) => void) {}
  take(node: NodeExecutionView): void {
    if (this.seen.get(node.id) === node.status) return;
    this.seen.set(node.id, node.status);
    this.onNode(node);
  }
}

export async function watchExecution(client: RemoteClient, executionId: string, options: WatchOptions): Promise<WatchResult> {
  const changes = new NodeChanges(options.onNode);
  const live = await watchOverWebSocket(client, executionId, changes, options.signal);
  if (live === 'unavailable') return watchByPolling(client, executionId, changes, options);
  if (!live.ended) return live;
  // The end can come before the node states (subscribing to a finished execution sends its status first):
  // the final answer is the execution as the API shows it, and any node not yet printed is printed from it.
  const execution = await detail(client, executionId);
  for (const node of execution.node_executions ?? []) changes.take(node);
  return { ended: true, execution };
}

async function watchOverWebSocket(
  client: RemoteClient,
  executionId: string,
  changes: NodeChanges,
  signal: AbortSignal | undefined,
): Promise<WatchResult | 'unavailable'> {
  const { WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(client.websocketUrl());
    let subscribed = false;
    let settled = false;
    const finish = (result: WatchResult | 'unavailable' | Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = () => finish({ ended: false });
    if (signal?.aborted) return finish({ ended: false });
    signal?.addEventListener('abort', onAbort);
    socket.on('open', () => {
      socket.send(JSON.stringify({ action: 'auth', token: client.target.apiKey }));
      socket.send(JSON.stringify({ action: 'subscribe', execution_id: executionId }));
    });
    socket.on('message', (raw) => {
      let message: { event?: string; data?: Record<string, unknown> };
      try {
        message = JSON.parse(String(raw)) as typeof message;
      } catch {
        return;
      }
      const data = message.data ?? {};
      if (message.event === 'subscribed') subscribed = true;
      else if (message.event === 'node_execution_update' && data.execution_id === executionId) changes.take(data as unknown as NodeExecutionView);
      else if (message.event === 'graph_execution_update' && data.id === executionId && isFinal(String(data.status)))
        finish({ ended: true, execution: data as unknown as ExecutionView });
      else if (message.event === 'error') {
        const code = String(data.code);
        // A server that refuses the key or the execution here refuses it over REST too: say so plainly.
        if (code === 'UNAUTHENTICATED')
          finish(new RemoteError(`${client.target.server} refused the API key on the WebSocket: ${String(data.message)}`, 401, code));
        else if (code === 'NOT_FOUND' || code === 'FORBIDDEN') finish(new RemoteError(`execution ${executionId}: ${String(data.message)}`, 404, code));
        else if (!subscribed) finish('unavailable');
      }
    });
    // No WebSocket (a proxy without upgrades, a worker-only address): poll instead; a drop mid-way polls on.
    socket.on('error', () => finish('unavailable'));
    socket.on('close', () => finish('unavailable'));
  });
}

function detail(client: RemoteClient, executionId: string): Promise<ExecutionView> {
  return client.get<ExecutionView>(`/api/executions/${encodeURIComponent(executionId)}`, { subject: `execution ${executionId}` });
}

async function watchByPolling(client: RemoteClient, executionId: string, changes: NodeChanges, options: WatchOptions): Promise<WatchResult> {
  const interval = options.pollMs ?? 1000;
  for (;;) {
    const execution = await detail(client, executionId);
    for (const node of execution.node_executions ?? []) changes.take(node);
    if (isFinal(execution.status)) return { ended: true, execution };
    const aborted = await new Promise<boolean>((resolve) => {
      if (options.signal?.aborted) return resolve(true);
      const timer = setTimeout(() => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve(false);
      }, interval);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(true);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (aborted) return { ended: false };
  }
}
