import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn, type Relation } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';
import { GraphEntity } from './graph.entity.js';

/** A user's saved set of inputs and credential names for one graph (`/graphs/{id}/presets`). */
@Entity({ name: 'presets' })
@Unique('presets_graph_id_user_id_name_key', ['graph_id', 'user_id', 'name'])
export class PresetEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'presets_pkey' })
  id!: string;

  @Column({ type: 'text' })
  graph_id!: string;

  @ManyToOne(() => GraphEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'graph_id', foreignKeyConstraintName: 'presets_graph_id_fkey' })
  graph?: Relation<GraphEntity>;

  @Index('presets_user_id_idx')
  @Column({ type: 'text' })
  user_id!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'presets_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Graph input name -> value. */
  @Column({ type: 'jsonb', default: {} })
  inputs!: Record<string, unknown>;

  /** Credential names as the execute API takes them (names only, never secrets). */
  @Column({ type: 'jsonb', default: {} })
  credentials!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
