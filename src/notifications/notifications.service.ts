// Sends notices: to a user (their preferences pick the channels; in_app is stored and pushed on the
// WebSocket at once, the others become delivery rows sent through the queue), to named channels of
// config/notifications.yaml (an agent's `notify:`), or to everyone (SYSTEM). Also the caller's list and
// read marks. Sending never throws into its caller's work: failures are logged.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { isTimeIdCursor } from '../common/query-values.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EVENT_BUS, type EventBus } from '../executions/events/execution-events.js';
import { decodeCursor, encodeCursor } from '../executions/executions.views.js';
import type { NotificationKind } from '../users/notification-preferences.types.js';
import type { NotificationEntity } from './notification.entity.js';
import { NotificationDeliverer } from './notification.deliverer.js';
import { channelsFor } from './notification.preferences.js';
import { NotificationTargets } from './notification.targets.js';
import { notificationView, type NotificationView } from './notifications.dto.js';
import { badNotificationCursor, notificationNotFound } from './notifications.errors.js';
import { NotificationsRepository, type NewDelivery, type PageAfter, type Recipient } from './notifications.repository.js';

export interface NoticeInput {
  kind: NotificationKind;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /** The execution it reports on, for the delivery log. */
  executionId?: string | null;
  /** What email, Slack and webhook channels get instead of body and data (a review's signed link: never in-app). */
  external?: { body: string; data: Record<string, unknown> };
}

@Injectable()
export class NotificationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: NotificationsRepository,
    private readonly deliverer: NotificationDeliverer,
    private readonly targets: NotificationTargets,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(EVENT_BUS) private readonly bus: EventBus | null,
  ) {}

  /** A notice to one user through the channels of their preferences. */
  async notifyUser(userId: string, notice: NoticeInput): Promise<void> {
    await this.notifyRecipient(userId, await this.repository.recipient(userId), notice);
  }

  /** notifyUser with the user's row already read (null: the user does not exist). */
  async notifyRecipient(userId: string, recipient: Recipient | null, notice: NoticeInput): Promise<void> {
    if (!recipient) {
      this.logger.warn({ user_id: userId, kind: notice.kind }, 'a notification for an unknown user was dropped');
      return;
    }
    await this.notifyRecipients([recipient], notice);
  }

  /** A SYSTEM notice to every user; answers how many users it reached. */
  async broadcast(title: string, body: string, data: Record<string, unknown> = {}): Promise<number> {
    const recipients = await this.repository.allRecipients();
    await this.notifyRecipients(recipients, { kind: 'SYSTEM', title, body, data });
    return recipients.length;
  }

  /** A notice to named channels of config/notifications.yaml (an agent's notify: on_success / on_failure). */
  async notifyChannels(names: readonly string[], notice: NoticeInput): Promise<void> {
    const rows: NewDelivery[] = [];
    for (const name of new Set(names)) {
      const channel = this.config.notificationChannels[name];
      if (!channel) {
        this.logger.warn(
          { channel: name, execution_id: notice.executionId },
          `notify: names channel "${name}", which config/notifications.yaml does not define; skipped`,
        );
        continue;
      }
      rows.push(
        this.deliveryRow(notice, {
          notification_id: null,
          user_id: null,
          channel_type: channel.type,
          channel_name: name,
          target: channel.to?.join(', ') ?? channel.credential ?? name,
        }),
      );
    }
    await this.deliverer.enqueue(await this.repository.insertDeliveries(rows));
  }

  async list(userId: string, query: { unread?: boolean; limit?: number; cursor?: string }): Promise<{ items: NotificationView[]; next_cursor: string | null }> {
    const after = decodeCursor(query.cursor, isPageAfter);
    if (after === null) throw badNotificationCursor();
    const limit = query.limit ?? 50;
    const rows = await this.repository.listForUser(userId, { unread: query.unread ?? false, limit, ...(after ? { after } : {}) });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(notificationView),
      next_cursor: rows.length > limit && last ? encodeCursor({ created_at: new Date(last.created_at).toISOString(), id: last.id }) : null,
    };
  }

  async setRead(userId: string, id: string, read: boolean): Promise<NotificationView> {
    const row = UUID.test(id) ? await this.repository.setRead(userId, id, read) : null;
    if (!row) throw notificationNotFound(id);
    return notificationView(row);
  }

  private async notifyRecipients(recipients: Recipient[], notice: NoticeInput): Promise<void> {
    const smtpConfigured = this.targets.smtpConfigured();
    const plans = recipients.map((recipient) => ({
      recipient,
      channels: channelsFor(notice.kind, {
        user: recipient.notification_preferences,
        configured: this.config.notifications.default_preferences,
        smtpConfigured,
      }),
    }));
    const inApp = await this.repository.insertNotifications(
      plans
        .filter((p) => p.channels.includes('in_app'))
        .map((p) => ({ user_id: p.recipient.id, kind: notice.kind, title: notice.title, body: notice.body, data: notice.data ?? {} })),
    );
    const byUser = new Map<string, NotificationEntity>(inApp.map((row) => [row.user_id, row]));
    for (const row of inApp) await this.push(row);
    const rows: NewDelivery[] = [];
    for (const { recipient, channels } of plans) {
      for (const channel of channels) {
        if (channel === 'in_app') continue;
        const target = channel === 'email' ? recipient.email : null;
        rows.push(
          this.deliveryRow(notice, {
            notification_id: byUser.get(recipient.id)?.id ?? null,
            user_id: recipient.id,
            channel_type: channel,
            channel_name: null,
            target,
          }),
        );
      }
    }
    await this.deliverer.enqueue(await this.repository.insertDeliveries(rows));
  }

  private deliveryRow(notice: NoticeInput, where: Pick<NewDelivery, 'notification_id' | 'user_id' | 'channel_type' | 'channel_name' | 'target'>): NewDelivery {
    return {
      ...where,
      kind: notice.kind,
      payload: notice.external
        ? { title: notice.title, body: notice.external.body, data: notice.external.data }
        : { title: notice.title, body: notice.body, data: notice.data ?? {} },
      execution_id: notice.executionId ?? null,
    };
  }

  private async push(row: NotificationEntity): Promise<void> {
    const view = notificationView(row);
    await this.bus?.publish({ event: 'notification', data: { ...view, user_id: row.user_id } });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isPageAfter(value: unknown): value is PageAfter {
  const v = value as Partial<PageAfter> | null;
  return typeof v === 'object' && v !== null && isTimeIdCursor(v);
}
