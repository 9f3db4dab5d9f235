import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { GraphVersionEntity } from './graph-version.entity.js';

/**
 * The trigger nodes of each graph version, written with the version and never changed. Joined with
 * `graphs.active_version`, it answers "which active triggers match this GitHub event / need a cron
 * schedule / serve this webhook" with an index instead of reading every definition.
 */
@Entity({ name: 'graph_triggers' })
@Index('graph_triggers_block_idx', ['block', 'graph_id', 'version'])
export class GraphTriggerEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'graph_triggers_pkey' })
  graph_id!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'graph_triggers_pkey' })
  version!: number;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'graph_triggers_pkey' })
  node_id!: string;

  @ManyToOne(() => GraphVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'graph_id', referencedColumnName: 'graph_id', foreignKeyConstraintName: 'graph_triggers_graph_version_fkey' },
    { name: 'version', referencedColumnName: 'version' },
  ])
  graphVersion?: Relation<GraphVersionEntity>;

  /** `trigger.webhook`, `trigger.github` or `trigger.cron`. */
  @Column({ type: 'text' })
  block!: string;

  /** The node's constant inputs: methods; events and repository; schedule, timezone and payload. */
  @Column({ type: 'jsonb', default: {} })
  config!: Record<string, unknown>;

  /** Credential field -> credential name (the webhook's `secret`). */
  @Column({ type: 'jsonb', default: {} })
  credentials!: Record<string, string>;

  /** Set when the trigger may not fire (an upgrade disabled it: graph-access.ts); shown by GET /api/graphs. */
  @Column({ type: 'text', nullable: true })
  disabled_reason!: string | null;
}
