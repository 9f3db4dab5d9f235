// POST /webhooks/github: verified with @octokit/webhooks under GITHUB_WEBHOOK_SECRET, deduplicated by
// X-GitHub-Delivery, routed to every active trigger.github node that matches; the delivery row and all its
// executions are one transaction (webhook-deliveries.service.ts). Push and pull_request events of the agents repository go to the GitOps hook.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Webhooks } from '@octokit/webhooks';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { TriggerCatalog } from '../webhooks/trigger-catalog.js';
import type { Answer } from '../webhooks/webhook-answer.js';
import { bodyHash } from '../webhooks/webhook-request.js';
import * as errors from '../webhooks/webhooks.errors.js';
import { WebhookDeliveries } from '../webhooks/webhook-deliveries.service.js';
import { unstorableBodyProblem } from '../../common/storable-body.middleware.js';
import { describeDelivery, matchingTriggers, parseGithubPayload, triggerOutputs, type GithubDelivery } from './github-delivery.js';
import { GITOPS_EVENTS, GithubEventListeners, isAgentsRepository, type GitopsEventName } from './github-events.js';

export interface GithubRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer | undefined;
}

export const GITHUB_SCOPE = 'github';

@Injectable()
export class GithubWebhooksService {
  private readonly webhooks: Webhooks | null;

  constructor(
    private readonly catalog: TriggerCatalog,
    private readonly deliveries: WebhookDeliveries,
    private readonly listeners: GithubEventListeners,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.webhooks = config.githubWebhookSecret ? new Webhooks({ secret: config.githubWebhookSecret }) : null;
  }

  async receive(request: GithubRequest): Promise<Answer> {
    try {
      const answer = await this.handle(request);
      this.metrics.webhookRequests.inc({ kind: 'github', status: String(answer.status) });
      return answer;
    } catch (error) {
      this.metrics.webhookRequests.inc({ kind: 'github', status: String((error as { status?: number }).status ?? 500) });
      throw error;
    }
  }

  private async handle(request: GithubRequest): Promise<Answer> {
    if (!this.webhooks) throw errors.githubNotConfigured();
    const signature = header(request.headers, 'x-hub-signature-256');
    if (!signature) throw errors.githubBadSignature(true);
    const raw = request.rawBody ?? Buffer.alloc(0);
    const valid = await this.webhooks.verify(raw.toString('utf8'), signature).catch(() => false);
    if (!valid) throw errors.githubBadSignature(false);
    const event = header(request.headers, 'x-github-event');
    const deliveryId = header(request.headers, 'x-github-delivery');
    if (!event) throw errors.githubBadDelivery('the X-GitHub-Event header is missing');
    if (event === 'ping') return { status: 200, body: { ok: true, event: 'ping' }, headers: {} };
    if (!deliveryId) throw errors.githubBadDelivery('the X-GitHub-Delivery header is missing');
    const parsed = parseGithubPayload(request.rawBody, header(request.headers, 'content-type'));
    if (!parsed.ok) throw errors.githubBadDelivery(parsed.reason);
    const poisoned = unstorableBodyProblem(parsed.payload, this.config.limits.max_json_depth);
    if (poisoned) throw poisoned;

    const delivery = describeDelivery(event, deliveryId, parsed.payload);
    const outputs = triggerOutputs(delivery);
    const executions = matchingTriggers(await this.catalog.githubTriggers(), delivery).map((trigger) => ({
      id: randomUUID(),
      graph_id: trigger.graph_id,
      graph_version: trigger.version,
      user_id: trigger.user_id,
      trigger_node: trigger.node_id,
      trigger_event: outputs,
    }));
    const result = await this.deliveries.admit(
      { scope: GITHUB_SCOPE, key: deliveryId, body_hash: bodyHash(raw), window_ms: this.config.webhooks.idempotency_window },
      executions,
      'github',
      (ids) => ({ status_code: 202, response: { execution_ids: ids } }),
    );
    if (!result.created) return { status: 200, body: result.existing.response, headers: {} };
    this.handOn(delivery);
    return { status: 202, body: { execution_ids: result.execution_ids }, headers: {} };
  }

  /** The GitOps hook: not awaited, so a slow sync never holds GitHub's request. */
  private handOn(delivery: GithubDelivery): void {
    if (!(GITOPS_EVENTS as readonly string[]).includes(delivery.event)) return;
    if (this.listeners.size === 0 || !isAgentsRepository(this.config.gitops.repository, delivery.repository)) return;
    void this.listeners.publish({
      event: delivery.event as GitopsEventName,
      action: delivery.action,
      delivery_id: delivery.delivery_id,
      repository: delivery.repository!,
      payload: delivery.payload,
    });
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
