import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * An event posted for wait.event nodes: buffered (consumed_by null) until the earliest waiter on its key
 * takes it, or expired. A row with `timed_out` is a wait's timeout: it holds the waiter's consumed_by so no
 * later event is given to it.
 */
@Entity({ name: 'wait_events' })
@Unique('wait_events_consumed_by_key', ['consumed_by'])
@Index('wait_events_buffered_idx', ['graph_id', 'node_id', 'key', 'created_at'], { where: 'consumed_by IS NULL' })
@Index('wait_events_idempotency_key_idx', ['graph_id', 'node_id', 'idempotency_key'], { unique: true, where: 'idempotency_key IS NOT NULL' })
export class WaitEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'wait_events_pkey' })
  id!: string;

  @Column({ type: 'text' })
  graph_id!: string;

  @Column({ type: 'text' })
  node_id!: string;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb', nullable: true })
  body!: unknown;

  @Column({ type: 'jsonb', default: {} })
  headers!: Record<string, string>;

  @Column({ type: 'text', nullable: true })
  idempotency_key!: string | null;

  /** The user whose API key or JWT posted it (it reaches only their executions); null when signed with the node's secret. */
  @Column({ type: 'text', nullable: true })
  posted_by!: string | null;

  /** The node execution that consumed it. */
  @Column({ type: 'uuid', nullable: true })
  consumed_by!: string | null;

  @Column({ type: 'boolean', default: false })
  timed_out!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  expires_at!: Date;
}
