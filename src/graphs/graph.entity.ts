import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import { UserEntity } from '../users/user.entity.js';
import type { GraphSource } from '../agent-format/graph.types.js';

export const GRAPH_SOURCES = ['file', 'api'] as const satisfies readonly GraphSource[];

/**
 * An agent: one row per name, whatever its source. Its versions live in graph_versions; `active_version` is
 * the one executions, triggers and GET run, `latest_version` the newest recorded (versions are 1..latest).
 */
@Entity({ name: 'graphs' })
@Check('graphs_id_check', `id ~ '^[a-z][a-z0-9-]{1,62}$'`)
@Check('graphs_source_check', sqlIn('source', GRAPH_SOURCES))
@Check('graphs_file_check', `(source = 'file') = (file IS NOT NULL)`)
@Check(
  'graphs_versions_check',
  `active_version >= 1 AND active_version <= latest_version AND (pinned_version IS NULL OR pinned_version BETWEEN 1 AND latest_version)`,
)
@Check('graphs_deactivated_check', `active OR deactivated_at IS NOT NULL`)
export class GraphEntity {
  /** The agent name (`^[a-z][a-z0-9-]{1,62}$`), used in every API path. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'graphs_pkey' })
  id!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  source!: GraphSource;

  /** The user billed for trigger runs (the file's `owner`); null means the built-in admin. */
  @Index('graphs_owner_id_idx', { where: 'owner_id IS NOT NULL' })
  @Column({ type: 'text', nullable: true })
  owner_id!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'graphs_owner_id_fkey' })
  owner?: Relation<UserEntity> | null;

  /** Who created an API graph (it is visible to them); null for file graphs. */
  @Index('graphs_created_by_idx', { where: 'created_by IS NOT NULL' })
  @Column({ type: 'text', nullable: true })
  created_by!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'graphs_created_by_fkey' })
  creator?: Relation<UserEntity> | null;

  /** False once its file was removed (or the API graph deleted): triggers and schedules stop, history stays. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'integer' })
  active_version!: number;

  /** The newest version recorded; a pinned graph keeps recording versions without activating them. */
  @Column({ type: 'integer' })
  latest_version!: number;

  /** Set while a file graph is pinned (`PUT /graphs/{id}/versions/active`); sync then does not activate. */
  @Column({ type: 'integer', nullable: true })
  pinned_version!: number | null;

  /** The agent file's path (relative to the agents folder) for file graphs; null for API graphs. */
  @Column({ type: 'text', nullable: true })
  file!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deactivated_at!: Date | null;
}
