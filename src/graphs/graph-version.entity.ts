import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';
import { GraphEntity } from './graph.entity.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';

/** One immutable version of a graph: the canonical definition and where it came from. */
@Entity({ name: 'graph_versions' })
@Check('graph_versions_version_check', 'version >= 1')
export class GraphVersionEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'graph_versions_pkey' })
  graph_id!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'graph_versions_pkey' })
  version!: number;

  @ManyToOne(() => GraphEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'graph_id', foreignKeyConstraintName: 'graph_versions_graph_id_fkey' })
  graph?: Relation<GraphEntity>;

  /** The canonical AgentDefinition (src/agent-format/graph.types.ts). */
  @Column({ type: 'jsonb' })
  definition!: AgentDefinition;

  /** sha256 of the canonical form: an unchanged file creates no version. */
  @Column({ type: 'text' })
  hash!: string;

  /** The agent file's path for file graphs. */
  @Column({ type: 'text', nullable: true })
  file!: string | null;

  /** The Git commit of the agents folder when the version was synced, where it is a checkout. */
  @Column({ type: 'text', nullable: true })
  commit!: string | null;

  /** Whether `${{ }}` in its constants are expressions: false for versions stored by release 1 (their `${{` is text). */
  @Column({ type: 'boolean', default: true })
  expressions!: boolean;

  @Column({ type: 'text', nullable: true })
  created_by!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'graph_versions_created_by_fkey' })
  creator?: Relation<UserEntity> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
