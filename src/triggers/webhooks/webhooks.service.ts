// POST /webhooks/{agent}/{node}: find the trigger (in memory), check method, rate and signature, then admit
// the execution (executions/admission; with its Idempotency-Key row, in the same transaction) and dispatch it. The hot path makes
// one database round trip (shared by concurrent requests: group commit); the group is then dispatched in
// one queue call, after its answers. ?wait= then follows the execution's events.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { RateLimiter } from '../../auth/rate-limiter.js';
import { BlocksRegistry } from '../../blocks/blocks.registry.js';
import { CREDENTIAL_RESOLVER, type CredentialResolver } from '../../blocks/credential-resolver.js';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { unstorableBodyProblem } from '../../common/storable-body.middleware.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { isFinalRunStatus } from '../../executions/engine/engine.types.js';
import type { TriggeredExecution } from '../../executions/admission/admission.types.js';
import { ExecutionAdmission } from '../../executions/admission/execution-admission.service.js';
import { ExecutionsService } from '../../executions/executions.service.js';
import { executionView } from '../../executions/executions.views.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { EarlyAnswers } from './early-answer.js';
import { ExecutionBatcher } from './execution-batcher.js';
import type { Answer } from './webhook-answer.js';
import { TriggerCatalog, type WebhookTrigger } from './trigger-catalog.js';
import {
  bodyHash,
  checkSignature,
  httpResponseFrom,
  MAX_WAIT_MS,
  parseWait,
  parseWebhookBody,
  shapedAnswerHeaders,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  visibleHeaders,
} from './webhook-request.js';
import * as errors from './webhooks.errors.js';
import { WebhookDeliveries } from './webhook-deliveries.service.js';
import { WebhooksRepository, type DeliveryAnswer } from './webhooks.repository.js';

export interface WebhookRequest {
  agent: string;
  node: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  rawBody: Buffer | undefined;
  /** The source address (for webhooks.rate_limit; found only when asked). */
  address: () => string;
  wait: string | undefined;
}

/** What the controller sends: a status, a JSON (or text) body, and headers. */
export type WebhookAnswer = Answer;
/** An answer and whether `http_response` shaped it (then a replay answers its status and headers too). */
type ShapedAnswer = WebhookAnswer & { shaped: boolean };

@Injectable()
export class WebhooksService implements OnApplicationShutdown {
  /** Requests without an Idempotency-Key share INSERTs under load (group commit). */
  private readonly batcher: ExecutionBatcher<TriggeredExecution>;
  constructor(
    private readonly catalog: TriggerCatalog,
    private readonly repository: WebhooksRepository,
    private readonly deliveries: WebhookDeliveries,
    private readonly admission: ExecutionAdmission,
    private readonly executions: ExecutionsService,
    private readonly rateLimiter: RateLimiter,
    private readonly registry: BlocksRegistry,
    private readonly metrics: MetricsService,
    private readonly early: EarlyAnswers,
    @Inject(CREDENTIAL_RESOLVER) private readonly resolver: CredentialResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {
    // Each group is dispatched once its callers are answered: one queue round trip for the group.
    this.batcher = new ExecutionBatcher(
      (rows) => this.admission.triggered(rows, 'webhook'),
      500,
      2,
      (rows) =>
        this.admission
          .handOver(rows)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'could not hand webhook executions over; the sweep dispatches them')),
    );
  }

  /** After the HTTP server closed, before the database does: the grouped INSERTs still pending finish, and their dispatch. */
  async onApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
  }

  async receive(request: WebhookRequest): Promise<WebhookAnswer> {
    try {
      const answer = await this.handle(request);
      this.metrics.webhookRequests.inc({ kind: 'webhook', status: String(answer.status) });
      return answer;
    } catch (error) {
      this.metrics.webhookRequests.inc({ kind: 'webhook', status: String((error as { status?: number }).status ?? 500) });
      throw error;
    }
  }

  private async handle(request: WebhookRequest): Promise<WebhookAnswer> {
    const { rate_limit: rate, idempotency_window: windowMs } = this.config.webhooks;
    if (rate !== 'off') {
      const decision = await this.rateLimiter.hit(`webhook-ip:${request.address()}`, rate);
      if (!decision.allowed) throw errors.webhookRateLimited(decision.retryAfterMs);
    }
    const trigger = await this.catalog.webhook(request.agent, request.node);
    if (!trigger) throw errors.webhookNotFound(request.agent, request.node);
    const method = request.method.toUpperCase();
    if (!trigger.methods.includes(method)) throw errors.methodNotAllowed(method, trigger.methods);
    const waitMs = request.wait === undefined ? null : parseWait(request.wait);
    if (waitMs === null && request.wait !== undefined) throw errors.badWebhookWait(request.wait);
    if (trigger.secret) await this.verify(trigger, request);
    const parsed = parseWebhookBody(request.rawBody, header(request.headers, 'content-type'));
    if (!parsed.ok) throw errors.badJsonBody(parsed.reason);
    const poisoned = unstorableBodyProblem(parsed.body, this.config.limits.max_json_depth);
    if (poisoned) throw poisoned;

    const execution: TriggeredExecution = {
      id: randomUUID(),
      graph_id: trigger.graph_id,
      graph_version: trigger.version,
      user_id: trigger.user_id,
      trigger_node: trigger.node_id,
      trigger_event: { body: parsed.body, headers: visibleHeaders(request.headers), query: request.query, method },
    };
    const key = header(request.headers, 'idempotency-key');
    let executionId: string;
    let scope: string | null = null;
    if (key === undefined) {
      // Answered once the row is committed; the batcher dispatches its group after (a lost dispatch is found
      // again by the sweep: QUEUED rows older than a few seconds).
      executionId = await this.batcher.add(execution);
    } else {
      if (key.length === 0 || key.length > 255) throw errors.badIdempotencyKey();
      scope = `webhook:${trigger.graph_id}/${trigger.node_id}`;
      const hash = bodyHash(request.rawBody);
      const result = await this.deliveries.admit({ scope, key, body_hash: hash, window_ms: windowMs }, [execution], 'webhook', ([id]) => ({
        status_code: 202,
        response: { execution_id: id },
      }));
      if (!result.created) {
        const { existing } = result;
        if (existing.body_hash !== hash) throw errors.idempotencyConflict(key);
        // An answer shaped by http_response replays as it was sent (release-2.md section 3); the documented JSON answers replay as 200.
        if (existing.headers && existing.status_code !== null)
          return { status: existing.status_code, body: existing.response, headers: { ...existing.headers, 'Idempotent-Replayed': 'true' } };
        return { status: 200, body: existing.response, headers: { 'Idempotent-Replayed': 'true' } };
      }
      executionId = result.execution_ids[0]!;
    }
    let answer: ShapedAnswer;
    if (trigger.respond === 'by_output') {
      answer = await this.earlyAnswer(executionId, waitMs ?? Math.min(this.config.webhooks.max_wait, MAX_WAIT_MS), trigger.graph_id);
    } else if (waitMs === null) {
      return { status: 202, body: { execution_id: executionId }, headers: {} };
    } else {
      answer = await this.waitAnswer(executionId, waitMs, trigger.graph_id);
    }
    // A duplicate of a waited request replays what the first caller finally got.
    if (scope && key)
      await this.repository
        .recordAnswer(
          scope,
          key,
          (answer.shaped
            ? { status_code: answer.status, response: answer.body, headers: answer.headers }
            : { status_code: 200, response: answer.body }) satisfies DeliveryAnswer,
        )
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record a webhook answer for replays'));
    return { status: answer.status, body: answer.body, headers: answer.headers };
  }

  /**
   * `respond: by_output`: the first `http_response` value as soon as it exists, while the execution goes
   * on; when the execution ends without one, or `waitMs` passes, the answer `?wait=` gives.
   */
  private async earlyAnswer(executionId: string, waitMs: number, agent: string): Promise<ShapedAnswer> {
    const outcome = await this.early.first(executionId, waitMs);
    const http = outcome.kind === 'answer' ? httpResponseFrom(outcome.value) : null;
    if (http) return { status: http.status, body: http.body, headers: shapedAnswerHeaders(http, agent, this.config.webhooks.html_responses), shaped: true };
    return this.waitAnswer(executionId, 0, agent);
  }

  /** The execution after at most `waitMs`: its results (or its `http_response` output) when final, else 202. */
  private async waitAnswer(executionId: string, waitMs: number, agent: string): Promise<ShapedAnswer> {
    const row = await this.executions.waitFor(executionId, waitMs);
    const view = executionView(row);
    if (!isFinalRunStatus(row.status)) {
      return { status: 202, body: { execution_id: executionId, status: row.status }, headers: {}, shaped: false };
    }
    const custom = row.status === 'COMPLETED' ? (view.outputs?.http_response?.[0] ?? undefined) : undefined;
    const http = custom === undefined ? null : httpResponseFrom(custom);
    if (http) return { status: http.status, body: http.body, headers: shapedAnswerHeaders(http, agent, this.config.webhooks.html_responses), shaped: true };
    return {
      status: 200,
      body: { execution_id: executionId, status: row.status, outputs: view.outputs ?? {}, error: view.error },
      headers: {},
      shaped: false,
    };
  }

  private async verify(trigger: WebhookTrigger, request: WebhookRequest): Promise<void> {
    const block = this.registry.require('trigger.webhook');
    // A file agent's own trigger names its secret in the reviewed file: file trust (release-2.md section 1).
    const fileTrusted = trigger.file ? ['secret'] : [];
    const { credentials } = await this.resolver.resolve({ block, names: { secret: trigger.secret! }, userId: trigger.user_id, fileTrusted });
    const secret = credentials.secret?.fields.secret;
    if (!secret) throw errors.secretUnresolved(trigger.graph_id, trigger.node_id, trigger.secret!);
    const tolerance = this.config.webhooks.signature_tolerance;
    const problem = checkSignature(
      secret,
      request.rawBody ?? Buffer.alloc(0),
      header(request.headers, TIMESTAMP_HEADER),
      header(request.headers, SIGNATURE_HEADER),
      tolerance,
      Date.now(),
    );
    if (problem) throw errors.badSignature(problem, tolerance);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
