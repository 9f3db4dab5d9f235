// GET /ws: execution and notification events for authenticated clients (interfaces.md "WebSocket").
// The gateway owns sockets (grace for authentication, heartbeat); WsSession owns the protocol.
import type { IncomingMessage } from 'node:http';
import { Inject, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { AuthService } from '../../auth/auth.service.js';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { EVENT_BUS, type EventBus } from '../events/execution-events.js';
import { tokenFromUrl, WsErrorCode, wsError, type WsOutgoing } from './ws.protocol.js';
import { WsSession } from './ws-session.js';
import { WsStateRepository } from './ws-state.repository.js';

export interface WsTimings {
  /** How long a socket may stay unauthenticated before it is closed. */
  authGraceMs: number;
  /** Ping interval; a socket that missed the previous pong is dropped. */
  heartbeatMs: number;
}

export const DEFAULT_WS_TIMINGS: WsTimings = { authGraceMs: 10_000, heartbeatMs: 30_000 };
/** Largest client message accepted (client messages are small actions). */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Close code for policy violations (not authenticated in time, bad token). */
const POLICY_VIOLATION = 1008;

interface Client {
  session: WsSession;
  alive: boolean;
  grace: NodeJS.Timeout | null;
}

@WebSocketGateway({ path: '/ws', maxPayload: MAX_MESSAGE_BYTES })
export class ExecutionsGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy {
  private readonly clients = new Map<WebSocket, Client>();
  private stopListening: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private timings: WsTimings = DEFAULT_WS_TIMINGS;
  constructor(
    private readonly auth: AuthService,
    private readonly state: WsStateRepository,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.bus.subscribe((event) => {
      for (const client of this.clients.values()) client.session.deliver(event);
    });
    this.startHeartbeat();
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const client of this.clients.values()) if (client.grace) clearTimeout(client.grace);
  }

  /** Changes the grace and heartbeat (tests use short ones); applies to sockets connecting afterwards. */
  configure(timings: Partial<WsTimings>): void {
    this.timings = { ...this.timings, ...timings };
    this.startHeartbeat();
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const session = new WsSession({
      authenticate: (token) => this.auth.authenticateToken(token),
      state: this.state,
      send: (message) => send(socket, message),
      close: (code, reason) => socket.close(code, reason),
      failed: (error) => this.logger.error({ err: error }, 'websocket: a client message failed'),
    });
    const client: Client = { session, alive: true, grace: null };
    this.clients.set(socket, client);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return send(socket, wsError(WsErrorCode.BAD_MESSAGE, 'Send text frames holding JSON, not binary frames.'));
      session.receive(rawText(data));
    });
    client.grace = setTimeout(() => {
      client.grace = null;
      if (session.authenticated) return;
      send(
        socket,
        wsError(
          WsErrorCode.UNAUTHENTICATED,
          `Not authenticated within ${this.timings.authGraceMs / 1000} s: send {"action":"auth","token":"..."} first, or connect to /ws?token=<token>.`,
        ),
      );
      socket.close(POLICY_VIOLATION, 'not authenticated');
    }, this.timings.authGraceMs);
    // The URL carries the token: it is read here and never logged.
    const token = tokenFromUrl(request.url);
    if (token) session.authenticateWith(token);
  }

  handleDisconnect(socket: WebSocket): void {
    const client = this.clients.get(socket);
    if (client?.grace) clearTimeout(client.grace);
    this.clients.delete(socket);
  }

  private startHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      for (const [socket, client] of this.clients) {
        if (!client.alive) {
          socket.terminate();
          this.handleDisconnect(socket);
          continue;
        }
        client.alive = false;
        socket.ping();
      }
    }, this.timings.heartbeatMs);
    this.heartbeat.unref();
  }
}

function send(socket: WebSocket, message: WsOutgoing): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
