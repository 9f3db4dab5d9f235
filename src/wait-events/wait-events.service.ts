// POST /webhooks/{agent}/{node}/events/{key} (release-2.md section 3): who may post (the node's secret,
// signed over "<timestamp>.<key>.<raw body>"; else an API key or JWT with executions:run, whose events reach
// only that user's executions unless an admin's), the buffer limit, the Idempotency-Key, and handing the
// event to the earliest waiter (then the execution is woken). The answer is 202 {} whatever waits.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthService, extractCredential } from '../auth/auth.service.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { CREDENTIAL_RESOLVER, type CredentialResolver } from '../blocks/credential-resolver.js';
import { AppError } from '../common/errors.js';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EVENT_KEY } from '../executions/engine/wait-suspensions.js';
import { EXECUTION_DISPATCHER, type ExecutionDispatcher } from '../executions/queue/execution-dispatcher.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { checkSignature, parseWebhookBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, visibleHeaders } from '../triggers/webhooks/webhook-request.js';
import { WaitEventsRepository } from './wait-events.repository.js';

export interface PostedEvent {
  agent: string;
  node: string;
  key: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer | undefined;
}

@Injectable()
export class WaitEventsService {
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: WaitEventsRepository,
    private readonly auth: AuthService,
    private readonly registry: BlocksRegistry,
    @Inject(CREDENTIAL_RESOLVER) private readonly resolver: CredentialResolver,
    @Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher,
    @Inject(LOGGER) logger: Logger,
    private readonly metrics: MetricsService,
  ) {
    this.logger = logger.child({ component: 'WaitEventsService' });
  }

  async post(event: PostedEvent): Promise<void> {
    try {
      this.metrics.waitEvents.inc({ outcome: await this.deliver(event) });
    } catch (error) {
      if (error instanceof AppError) this.metrics.waitEvents.inc({ outcome: 'refused' });
      throw error;
    }
  }

  /** Stores the event and hands it to the earliest waiter, if any; answers what became of it. */
  private async deliver(event: PostedEvent): Promise<'accepted' | 'buffered' | 'duplicate'> {
    if (!EVENT_KEY.test(event.key)) throw new AppError('BAD_REQUEST', 'The event key must be 1-200 characters of letters, digits and . _ : -', {});
    const nodes = await this.repository.eventNodes(event.agent, event.node);
    if (nodes.length === 0)
      throw new AppError('NOT_FOUND', `Agent "${event.agent}" has no wait.event node "${event.node}" in any version. Check the agent and node names.`, {});
    const postedBy = await this.authorize(event, nodes);
    const parsed = parseWebhookBody(event.rawBody, header(event.headers, 'content-type'));
    if (!parsed.ok) throw new AppError('BAD_REQUEST', parsed.reason, {});
    if ((await this.repository.bufferedCount(event.agent, event.node)) >= this.config.wait_event.max_buffered)
      throw new AppError('RATE_LIMITED', `Node "${event.node}" already keeps wait_event.max_buffered events nobody waits for; send again later.`, {});
    const idempotency = header(event.headers, 'idempotency-key') ?? null;
    const id = await this.repository.insert({
      graph_id: event.agent,
      node_id: event.node,
      key: event.key,
      body: parsed.body,
      headers: visibleHeaders(event.headers),
      idempotency_key: idempotency ? idempotency.slice(0, 200) : null,
      posted_by: postedBy,
      buffer_ms: this.config.wait_event.buffer,
    });
    if (!id) return 'duplicate'; // a resend of the same Idempotency-Key: nothing happens
    const executionId = await this.repository.consumeByWaiter(id);
    if (!executionId) return 'buffered';
    await this.dispatcher
      .dispatch(executionId)
      .catch((error: unknown) => this.logger.warn({ err: error, execution_id: executionId }, 'dispatch failed; the waiting execution wakes at its timeout'));
    return 'accepted';
  }

  /** Null when signed with the node's secret; else the posting user's id (null for an admin: any execution). */
  private async authorize(event: PostedEvent, nodes: Array<{ secret: string | null; user_id: string | null; file: boolean }>): Promise<string | null> {
    const signed = nodes.find((n) => n.secret);
    if (signed) {
      const block = this.registry.require('wait.event');
      const { credentials } = await this.resolver.resolve({
        block,
        names: { secret: signed.secret! },
        userId: signed.user_id ?? '',
        fileTrusted: signed.file ? ['secret'] : [],
      });
      const secret = credentials.secret?.fields.secret;
      const body = Buffer.concat([Buffer.from(`${event.key}.`), event.rawBody ?? Buffer.alloc(0)]);
      const problem = secret
        ? checkSignature(
            secret,
            body,
            header(event.headers, TIMESTAMP_HEADER),
            header(event.headers, SIGNATURE_HEADER),
            this.config.webhooks.signature_tolerance,
            Date.now(),
          )
        : 'missing';
      if (problem)
        throw new AppError('UNAUTHENTICATED', 'Sign the event with the node\'s secret: X-Trellis-Signature-256 over "<timestamp>.<key>.<raw body>".', {});
      return null;
    }
    const credential = extractCredential(event.headers);
    if (!credential) throw new AppError('UNAUTHENTICATED', 'Send an API key or JWT (scope executions:run) with the event.', {});
    const { principal } = await this.auth.authenticate(credential);
    if (!principal.scopes.has('executions:run')) throw new AppError('UNAUTHENTICATED', 'The key needs the executions:run scope to post events.', {});
    return principal.role === 'admin' ? null : principal.user.id;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
