// Helpers of the WebSocket tests: apps listening on a real port (several may share one database and one
// Redis prefix, like api processes of one cluster), a `ws` client that collects messages, and rows.
import type { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { EVENT_BUS, type BusEvent, type EventBus } from '../../src/executions/events/execution-events.js';
import { ExecutionsGateway } from '../../src/executions/ws/executions.gateway.js';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/wait.js';

export const JWT_SECRET = 'ws-test-jwt-secret-0123456789abcdef';

export interface WsApp extends TestApp {
  bus: EventBus;
  gateway: ExecutionsGateway;
  wsUrl: string;
}

/** A listening app over `database` (owned by the caller); with `redisPrefix`, its event bus is Redis pub/sub under that prefix. */
export async function createWsApp(database: TestDatabase, redisPrefix?: string): Promise<WsApp> {
  const t = await createTestApp({
    label: 'ws',
    database,
    redis: Boolean(redisPrefix),
    env: { TRELLIS_QUEUE_PREFIX: redisPrefix ?? 'trellis-test-ws', TRELLIS_ADMIN_API_KEY: ADMIN_KEY, JWT_SECRET },
    listen: true,
  });
  const address = t.http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(t, { bus: t.app.get<EventBus>(EVENT_BUS), gateway: t.app.get(ExecutionsGateway), wsUrl: `ws://127.0.0.1:${port}/ws` });
}

export interface Message {
  event: string;
  data: Record<string, unknown>;
}

/** A real WebSocket client that keeps every message it receives. */
export class WsClient {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as Message));
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async open(url: string): Promise<WsClient> {
    const socket = new WebSocket(url);
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until `count` messages matching `match` arrived; answers them. */
  async next(match: (m: Message) => boolean, count = 1, what = 'a message'): Promise<Message[]> {
    const found = await waitFor(
      () => this.messages.filter(match),
      (list) => list.length >= count,
      { what, timeoutMs: 10_000 },
    );
    return found.slice(0, count);
  }

  async one(match: (m: Message) => boolean, what?: string): Promise<Message> {
    return (await this.next(match, 1, what))[0]!;
  }

  async auth(token: string): Promise<Message> {
    this.send({ action: 'auth', token });
    return this.one((m) => m.event === 'authenticated' || m.event === 'error', 'the answer to auth');
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    return (await waitFor(
      () => this.closed,
      (c) => c !== null,
      { what: 'the socket to close' },
    ))!;
  }

  close(): void {
    this.socket.close();
  }
}

export const isEvent = (event: string, field?: string, value?: unknown) => (m: Message) =>
  m.event === event && (field === undefined || m.data[field] === value);

/** A graph (source api, created by `createdBy`, or a file graph), its version 1, and answers its id. */
export async function insertGraph(dataSource: DataSource, id: string, createdBy: string | null): Promise<string> {
  const source = createdBy ? 'api' : 'file';
  await dataSource.query(`INSERT INTO graphs (id, source, created_by, active_version, latest_version, file) VALUES ($1, $2, $3, 1, 1, $4)`, [
    id,
    source,
    createdBy,
    createdBy ? null : `agents/${id}.yaml`,
  ]);
  await dataSource.query(`INSERT INTO graph_versions (graph_id, version, definition, hash) VALUES ($1, 1, '{}', $2)`, [id, `hash-${id}`]);
  return id;
}

export async function insertExecution(dataSource: DataSource, graphId: string, userId: string): Promise<string> {
  const rows: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO executions (graph_id, graph_version, status, source, user_id, inputs) VALUES ($1, 1, 'QUEUED', 'api', $2, '{"x": 1}') RETURNING id`,
    [graphId, userId],
  );
  return rows[0]!.id;
}

export function executionEvent(executionId: string, graphId: string, userId: string, data: Record<string, unknown> = {}): BusEvent {
  return { event: 'graph_execution_update', data: { execution_id: executionId, id: executionId, graph_id: graphId, user_id: userId, ...data } };
}

export function nodeEvent(executionId: string, graphId: string, userId: string, data: Record<string, unknown> = {}): BusEvent {
  return { event: 'node_execution_update', data: { execution_id: executionId, graph_id: graphId, user_id: userId, ...data } };
}
