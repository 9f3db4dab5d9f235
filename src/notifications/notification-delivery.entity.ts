import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import {
  NOTIFICATION_CHANNEL_TYPES,
  NOTIFICATION_KINDS,
  type NotificationChannelType,
  type NotificationKind,
} from '../users/notification-preferences.types.js';
import { UserEntity } from '../users/user.entity.js';
import { NotificationEntity } from './notification.entity.js';

export const NOTIFICATION_DELIVERY_STATUSES = ['PENDING', 'SENT', 'FAILED'] as const;
export type NotificationDeliveryStatus = (typeof NOTIFICATION_DELIVERY_STATUSES)[number];

/**
 * The delivery log: one row per notice per channel, sent through the queue with retries and backoff. Self
 * contained (`payload` holds what is sent), so a channel-only notice (an agent's `notify:` channel) needs no
 * in-app notification; `notification_id` links the two when there is one. A failed delivery never changes an
 * execution.
 */
@Entity({ name: 'notification_deliveries' })
@Check('notification_deliveries_kind_check', sqlIn('kind', NOTIFICATION_KINDS))
@Check('notification_deliveries_channel_type_check', sqlIn('channel_type', NOTIFICATION_CHANNEL_TYPES))
@Check('notification_deliveries_status_check', sqlIn('status', NOTIFICATION_DELIVERY_STATUSES))
@Check('notification_deliveries_attempts_check', 'attempts >= 0')
@Check('notification_deliveries_delivered_at_check', `(status = 'SENT') = (delivered_at IS NOT NULL)`)
// Pending deliveries that are due (the retry sweep).
@Index('notification_deliveries_pending_idx', ['next_attempt_at'], { where: `status = 'PENDING'` })
@Index('notification_deliveries_user_id_created_at_idx', ['user_id', 'created_at', 'id'], { where: 'user_id IS NOT NULL' })
@Index('notification_deliveries_notification_id_idx', ['notification_id'], { where: 'notification_id IS NOT NULL' })
@Index('notification_deliveries_created_at_idx', ['created_at'])
export class NotificationDeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'notification_deliveries_pkey' })
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  notification_id!: string | null;

  @ManyToOne(() => NotificationEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'notification_deliveries_notification_id_fkey' })
  notification?: Relation<NotificationEntity> | null;

  /** The recipient user; null for a named channel of config/notifications.yaml. */
  @Column({ type: 'text', nullable: true })
  user_id!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'notification_deliveries_user_id_fkey' })
  user?: Relation<UserEntity> | null;

  @Column({ type: 'text' })
  kind!: NotificationKind;

  @Column({ type: 'text' })
  channel_type!: NotificationChannelType;

  /** The named channel (config/notifications.yaml), or null for the user's own channel. */
  @Column({ type: 'text', nullable: true })
  channel_name!: string | null;

  /** Where it goes, never a secret: an email address, or the credential / channel name of a URL. */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'text', default: 'PENDING' })
  status!: NotificationDeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  last_error!: string | null;

  @Column({ type: 'timestamptz', nullable: true, default: () => 'now()' })
  next_attempt_at!: Date | null;

  /** What is sent: title, body, data. */
  @Column({ type: 'jsonb', default: {} })
  payload!: Record<string, unknown>;

  /** The execution it reports on, if any (plain column: deliveries outlive pruned executions). */
  @Column({ type: 'uuid', nullable: true })
  execution_id!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  delivered_at!: Date | null;
}
