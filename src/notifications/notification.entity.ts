import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../users/notification-preferences.types.js';
import { UserEntity } from '../users/user.entity.js';

/** A user's in-app notification (`GET /api/notifications`, pushed on the WebSocket). */
@Entity({ name: 'notifications' })
@Check('notifications_kind_check', sqlIn('kind', NOTIFICATION_KINDS))
@Index('notifications_user_id_created_at_idx', ['user_id', 'created_at', 'id'])
@Index('notifications_user_id_unread_idx', ['user_id', 'created_at', 'id'], { where: 'read_at IS NULL' })
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'notifications_pkey' })
  id!: string;

  @Column({ type: 'text' })
  user_id!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'notifications_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  kind!: NotificationKind;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  /** Facts behind it: execution_id, graph_id, balance, ... */
  @Column({ type: 'jsonb', default: {} })
  data!: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true })
  read_at!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
