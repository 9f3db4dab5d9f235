// All SQL of notifications: in-app notifications, the delivery log, and the few facts read from users and
// graph_versions (recipients, preferences, an agent's `notify:`).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { NotifySettings } from '../agent-format/graph.types.js';
import type { NotificationChannelType, NotificationKind } from '../users/notification-preferences.types.js';
import type { NotificationDeliveryEntity } from './notification-delivery.entity.js';
import type { NotificationEntity } from './notification.entity.js';

export interface NewNotification {
  user_id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

export interface NewDelivery {
  notification_id: string | null;
  user_id: string | null;
  kind: NotificationKind;
  channel_type: NotificationChannelType;
  channel_name: string | null;
  target: string | null;
  payload: Record<string, unknown>;
  execution_id: string | null;
}

export interface Recipient {
  id: string;
  email: string | null;
  notification_preferences: Record<string, string[]> | null;
}

export interface PageAfter {
  created_at: string;
  id: string;
}

@Injectable()
export class NotificationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async recipient(userId: string): Promise<Recipient | null> {
    const rows = (await this.dataSource.query(`SELECT id, email, notification_preferences FROM users WHERE id = $1`, [userId])) as Recipient[];
    return rows[0] ?? null;
  }

  /** Several users at once (the execution-finished hook batches its reads); unknown ids are left out. */
  async recipients(userIds: readonly string[]): Promise<Recipient[]> {
    if (userIds.length === 0) return [];
    return (await this.dataSource.query(`SELECT id, email, notification_preferences FROM users WHERE id = ANY($1::text[])`, [userIds])) as Recipient[];
  }

  async allRecipients(): Promise<Recipient[]> {
    return (await this.dataSource.query(`SELECT id, email, notification_preferences FROM users ORDER BY created_at, id`)) as Recipient[];
  }

  /** The `notify:` of one graph version's definition, or null. */
  async agentNotify(graphId: string, version: number): Promise<NotifySettings | null> {
    const rows = (await this.dataSource.query(`SELECT definition->'notify' AS notify FROM graph_versions WHERE graph_id = $1 AND version = $2`, [
      graphId,
      version,
    ])) as Array<{ notify: NotifySettings | null }>;
    return rows[0]?.notify ?? null;
  }

  async insertNotification(row: NewNotification): Promise<NotificationEntity> {
    const rows = (await this.dataSource.query(`INSERT INTO notifications (user_id, kind, title, body, data) VALUES ($1, $2, $3, $4, $5) RETURNING *`, [
      row.user_id,
      row.kind,
      row.title,
      row.body,
      JSON.stringify(row.data),
    ])) as NotificationEntity[];
    return rows[0]!;
  }

  /** One in-app notification per user in one statement (a SYSTEM broadcast). */
  async insertNotifications(rows: NewNotification[]): Promise<NotificationEntity[]> {
    if (!rows.length) return [];
    return (await this.dataSource.query(
      `INSERT INTO notifications (user_id, kind, title, body, data)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) RETURNING *`,
      [rows.map((r) => r.user_id), rows.map((r) => r.kind), rows.map((r) => r.title), rows.map((r) => r.body), rows.map((r) => JSON.stringify(r.data))],
    )) as NotificationEntity[];
  }

  /** The caller's notifications, newest first, `limit + 1` rows (the extra one says there is a next page). */
  async listForUser(userId: string, options: { unread: boolean; limit: number; after?: PageAfter }): Promise<NotificationEntity[]> {
    const params: unknown[] = [userId];
    let where = 'user_id = $1';
    if (options.unread) where += ' AND read_at IS NULL';
    if (options.after) {
      params.push(options.after.created_at, options.after.id);
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(options.limit + 1);
    return (await this.dataSource.query(
      `SELECT * FROM notifications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as NotificationEntity[];
  }

  /** Marks one of the user's notifications read or unread; null when it is not theirs (or does not exist). */
  async setRead(userId: string, id: string, read: boolean): Promise<NotificationEntity | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE notifications SET read_at = CASE WHEN $3 THEN coalesce(read_at, now()) ELSE NULL END WHERE id = $1 AND user_id = $2 RETURNING *`,
      [id, userId, read],
    )) as [NotificationEntity[], number];
    return rows[0] ?? null;
  }

  async insertDeliveries(rows: NewDelivery[]): Promise<NotificationDeliveryEntity[]> {
    if (!rows.length) return [];
    return (await this.dataSource.query(
      `INSERT INTO notification_deliveries (notification_id, user_id, kind, channel_type, channel_name, target, payload, execution_id)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::uuid[]) RETURNING *`,
      [
        rows.map((r) => r.notification_id),
        rows.map((r) => r.user_id),
        rows.map((r) => r.kind),
        rows.map((r) => r.channel_type),
        rows.map((r) => r.channel_name),
        rows.map((r) => r.target),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => r.execution_id),
      ],
    )) as NotificationDeliveryEntity[];
  }

  /**
   * Takes a due PENDING delivery for one attempt: counts the attempt and leases it (next_attempt_at moves
   * `leaseMs` ahead, so the sweep retries it only if this worker dies). Null when it is not due or not pending.
   */
  async claim(id: string, leaseMs: number): Promise<NotificationDeliveryEntity | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
       WHERE id = $1 AND status = 'PENDING' AND next_attempt_at <= now() + interval '1 second' RETURNING *`,
      [id, leaseMs],
    )) as [NotificationDeliveryEntity[], number];
    return rows[0] ?? null;
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_deliveries SET status = 'SENT', delivered_at = now(), next_attempt_at = NULL, last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  async markRetry(id: string, error: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_deliveries SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1`,
      [id, error, delayMs],
    );
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE notification_deliveries SET status = 'FAILED', last_error = $2, next_attempt_at = NULL WHERE id = $1`, [id, error]);
  }

  /** PENDING deliveries whose time (or lease) passed `graceMs` ago: their job was lost. */
  async overdue(graceMs: number, limit: number): Promise<Array<{ id: string; attempts: number }>> {
    return (await this.dataSource.query(
      `SELECT id, attempts FROM notification_deliveries WHERE status = 'PENDING' AND next_attempt_at < now() - make_interval(secs => $1::float8 / 1000) ORDER BY next_attempt_at LIMIT $2`,
      [graceMs, limit],
    )) as Array<{ id: string; attempts: number }>;
  }

  async delivery(id: string): Promise<NotificationDeliveryEntity | null> {
    const rows = (await this.dataSource.query(`SELECT * FROM notification_deliveries WHERE id = $1`, [id])) as NotificationDeliveryEntity[];
    return rows[0] ?? null;
  }
}
