// One attempt of one delivery (a queue job): claim the PENDING row, send it through its channel, then mark
// it SENT, schedule the next attempt with exponential backoff, or mark it FAILED after the last attempt or
// an error no retry can fix. Never touches an execution.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { blockSettings } from '../blocks/block-context.js';
import { OutboundHttp } from '../blocks/outbound/outbound-http.js';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { NotificationDeliveryEntity } from './notification-delivery.entity.js';
import { backoffMs, MAX_DELIVERY_ATTEMPTS, NOTIFICATION_QUEUE, type NotificationQueue } from './notification-queue.js';
import { postSlack, postWebhook, sendEmail, type Notice } from './notification.senders.js';
import { NotificationTargets } from './notification.targets.js';
import { channelUnusable, DeliveryError } from './notifications.errors.js';
import { NotificationsRepository } from './notifications.repository.js';

/** How long an attempt may hold a delivery before the sweep tries it again. */
export const ATTEMPT_LEASE_MS = 2 * 60_000;

@Injectable()
export class NotificationDeliverer implements OnModuleDestroy {
  /** Users' own targets: the outbound policy of blocks, http.allow_private_addresses included. */
  private readonly userHttp: OutboundHttp;
  /** Channels of config/notifications.yaml: the operator chose them, so private addresses are allowed. */
  private readonly operatorHttp: OutboundHttp;
  constructor(
    private readonly repository: NotificationsRepository,
    private readonly targets: NotificationTargets,
    @Inject(NOTIFICATION_QUEUE) private readonly queue: NotificationQueue,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    const settings = blockSettings(config);
    this.userHttp = OutboundHttp.fromSettings(settings, { onRefused: (reason) => metrics.outboundRefusals.inc({ reason }) });
    this.operatorHttp = OutboundHttp.fromSettings({ ...settings, allowPrivateAddresses: true });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.userHttp.close(), this.operatorHttp.close()]);
  }

  /** Queues the first attempt of each delivery; a queue failure is logged (the sweep finds the row later). */
  async enqueue(deliveries: Array<Pick<NotificationDeliveryEntity, 'id' | 'attempts'>>): Promise<void> {
    for (const delivery of deliveries) {
      await this.queue
        .enqueue(delivery.id, delivery.attempts + 1, 0)
        .catch((error: unknown) => this.logger.warn({ err: error, delivery_id: delivery.id }, 'could not queue a notification delivery; the sweep retries it'));
    }
  }

  async attempt(deliveryId: string): Promise<void> {
    const delivery = await this.repository.claim(deliveryId, ATTEMPT_LEASE_MS);
    if (!delivery) return; // already sent, failed, or not due: a duplicate job
    try {
      await this.send(delivery);
      await this.repository.markSent(delivery.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryable = !(error instanceof DeliveryError) || error.retryable;
      const log = { delivery_id: delivery.id, channel: delivery.channel_type, channel_name: delivery.channel_name, attempt: delivery.attempts };
      if (!retryable || delivery.attempts >= MAX_DELIVERY_ATTEMPTS) {
        await this.repository.markFailed(delivery.id, message);
        this.logger.warn({ ...log, reason: message }, 'a notification delivery failed for good');
        return;
      }
      const wait = backoffMs(delivery.attempts);
      await this.repository.markRetry(delivery.id, message, wait);
      await this.queue.enqueue(delivery.id, delivery.attempts + 1, wait);
      this.logger.info({ ...log, reason: message, retry_in_ms: wait }, 'a notification delivery failed; retrying');
    }
  }

  private async send(delivery: NotificationDeliveryEntity): Promise<void> {
    const notice = noticeOf(delivery);
    const where = delivery.channel_name ? `channel "${delivery.channel_name}"` : 'your notification settings';
    switch (delivery.channel_type) {
      case 'email': {
        const to = delivery.channel_name ? (this.targets.namedChannel(delivery.channel_name).to ?? []) : delivery.target ? [delivery.target] : [];
        if (!to.length)
          throw channelUnusable("No email address to send to: set your email (PUT /api/user) or the channel's `to` in config/notifications.yaml.");
        const smtp = await this.targets.smtp();
        return sendEmail(smtp.settings, to, notice, smtp.name);
      }
      case 'slack': {
        const target = await this.httpTarget(delivery);
        return postSlack(this.httpFor(delivery), target.url, notice, where);
      }
      case 'webhook': {
        const target = await this.httpTarget(delivery);
        const payload = {
          id: delivery.notification_id ?? delivery.id,
          delivery_id: delivery.id,
          ...notice,
          execution_id: delivery.execution_id,
          created_at: new Date(delivery.created_at).toISOString(),
        };
        return postWebhook(this.httpFor(delivery), target.url, target.secret, payload, delivery.id, where);
      }
      case 'in_app':
        return; // stored and pushed when created; nothing to send
    }
  }

  private httpFor(delivery: NotificationDeliveryEntity) {
    return (delivery.channel_name ? this.operatorHttp : this.userHttp).client();
  }

  private async httpTarget(delivery: NotificationDeliveryEntity) {
    if (delivery.channel_name) return this.targets.namedHttp(delivery.channel_name, this.targets.namedChannel(delivery.channel_name));
    if (!delivery.user_id) throw channelUnusable('This delivery has neither a channel nor a user to send to.');
    return delivery.channel_type === 'slack' ? this.targets.userSlack(delivery.user_id) : this.targets.userWebhook(delivery.user_id);
  }
}

function noticeOf(delivery: NotificationDeliveryEntity): Notice {
  const payload = delivery.payload as Partial<Notice>;
  return {
    kind: delivery.kind,
    title: String(payload.title ?? delivery.kind),
    body: String(payload.body ?? ''),
    data: (payload.data as Record<string, unknown>) ?? {},
  };
}
