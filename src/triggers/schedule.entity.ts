import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import { GraphEntity } from '../graphs/graph.entity.js';
import { UserEntity } from '../users/user.entity.js';

export const SCHEDULE_KINDS = ['trigger', 'adhoc'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/**
 * A cron schedule: a `trigger.cron` node of an active graph (kept in step by sync, one per graph and node), or
 * an ad-hoc schedule (`POST /api/graphs/{id}/schedules`, billed to its creator). Fires are deduplicated in
 * schedule_fires.
 */
@Entity({ name: 'schedules' })
@Check('schedules_kind_check', sqlIn('kind', SCHEDULE_KINDS))
@Check('schedules_trigger_node_check', `(kind = 'trigger') = (node_id IS NOT NULL)`)
@Check('schedules_adhoc_user_check', `kind <> 'adhoc' OR user_id IS NOT NULL`)
@Index('schedules_graph_id_node_id_key', ['graph_id', 'node_id'], { unique: true, where: `kind = 'trigger'` })
@Index('schedules_graph_id_idx', ['graph_id'])
// The in-process scheduler's "what fires next".
@Index('schedules_next_fire_at_idx', ['next_fire_at'], { where: 'NOT paused AND next_fire_at IS NOT NULL' })
export class ScheduleEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'schedules_pkey' })
  id!: string;

  @Column({ type: 'text' })
  kind!: ScheduleKind;

  @Column({ type: 'text' })
  graph_id!: string;

  @ManyToOne(() => GraphEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'graph_id', foreignKeyConstraintName: 'schedules_graph_id_fkey' })
  graph?: Relation<GraphEntity>;

  /** The `trigger.cron` node (kind `trigger`); null for ad-hoc schedules. */
  @Column({ type: 'text', nullable: true })
  node_id!: string | null;

  /** 5 fields, or 6 with seconds. */
  @Column({ type: 'text' })
  cron!: string;

  /** IANA zone. */
  @Column({ type: 'text', default: 'UTC' })
  timezone!: string;

  /** Graph inputs of an ad-hoc run. */
  @Column({ type: 'jsonb', default: {} })
  inputs!: Record<string, unknown>;

  /** The trigger's `payload` input, yielded on each fire. */
  @Column({ type: 'jsonb', nullable: true })
  payload!: unknown;

  /** The creator of an ad-hoc schedule (billed); null for trigger schedules (the graph's owner is billed). */
  @Index('schedules_user_id_idx', { where: 'user_id IS NOT NULL' })
  @Column({ type: 'text', nullable: true })
  user_id!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'schedules_user_id_fkey' })
  user?: Relation<UserEntity> | null;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  /** Why the server paused it (an upgrade: it fired more often than schedules.min_interval); null when a person did. */
  @Column({ type: 'text', nullable: true })
  paused_reason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  next_fire_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  last_fired_at!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
