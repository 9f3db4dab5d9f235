import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import { GraphVersionEntity } from '../graphs/graph-version.entity.js';
import { PresetEntity } from '../graphs/preset.entity.js';
import { UserEntity } from '../users/user.entity.js';
import type { ExecutionError } from './engine/engine.errors.js';
import { ExecutionStatus, FINAL_STATUSES } from './engine/engine.types.js';
import { NodeExecutionEntity } from './node-execution.entity.js';

export { ExecutionStatus } from './engine/engine.types.js';
export const EXECUTION_STATUSES = Object.values(ExecutionStatus);
export const FINISHED_EXECUTION_STATUSES = FINAL_STATUSES;

export const EXECUTION_SOURCES = ['api', 'webhook', 'github', 'schedule', 'agent', 'rerun', 'cli', 'retry'] as const;
export type ExecutionSource = (typeof EXECUTION_SOURCES)[number];

const FINISHED = sqlIn('status', FINISHED_EXECUTION_STATUSES);

/**
 * One run of one graph version. Status moves are enforced in SQL by the trigger
 * `executions_status_transition` (see the initial migration): QUEUED -> RUNNING | CANCELLED | FAILED,
 * RUNNING -> COMPLETED | FAILED | CANCELLED, nothing else. The same trigger stamps `started_at` on the move
 * to RUNNING and `ended_at` on a move to a final status when the writer left them null, and `updated_at`.
 */
@Entity({ name: 'executions' })
@Check('executions_status_check', sqlIn('status', EXECUTION_STATUSES))
@Check('executions_source_check', sqlIn('source', EXECUTION_SOURCES))
@Check('executions_ended_at_check', `(ended_at IS NOT NULL) = (${FINISHED})`)
@Check('executions_counts_check', 'depth >= 0 AND cost >= 0 AND node_execution_count >= 0')
// Lists, newest first, cursor (created_at, id): everyone (admin), per billed user, per graph.
@Index('executions_created_at_idx', ['created_at', 'id'])
@Index('executions_user_id_created_at_idx', ['user_id', 'created_at', 'id'])
@Index('executions_graph_id_created_at_idx', ['graph_id', 'created_at', 'id'])
// Agent concurrency: running count and FIFO of queued executions per graph; only unfinished rows.
@Index('executions_graph_unfinished_idx', ['graph_id', 'status', 'created_at', 'id'], { where: `status IN ('QUEUED', 'RUNNING')` })
// The sweep that re-dispatches QUEUED executions whose dispatch was lost, oldest first.
@Index('executions_queued_idx', ['created_at', 'id'], { where: `status = 'QUEUED'` })
// Lapsed leases of RUNNING executions, and execution timeouts to enforce.
@Index('executions_lease_until_idx', ['lease_until'], { where: `status = 'RUNNING'` })
@Index('executions_deadline_at_idx', ['deadline_at'], { where: `status = 'RUNNING' AND deadline_at IS NOT NULL` })
// Retention: finished executions by age.
@Index('executions_ended_at_idx', ['ended_at'], { where: `ended_at IS NOT NULL` })
export class ExecutionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'executions_pkey' })
  id!: string;

  @Column({ type: 'text' })
  graph_id!: string;

  @Column({ type: 'integer' })
  graph_version!: number;

  @ManyToOne(() => GraphVersionEntity)
  @JoinColumn([
    { name: 'graph_id', referencedColumnName: 'graph_id', foreignKeyConstraintName: 'executions_graph_version_fkey' },
    { name: 'graph_version', referencedColumnName: 'version' },
  ])
  graphVersion?: Relation<GraphVersionEntity>;

  @Column({ type: 'text', default: ExecutionStatus.QUEUED })
  status!: ExecutionStatus;

  @Column({ type: 'text' })
  source!: ExecutionSource;

  /** The trigger node that fired (webhook, github, schedule, or a replayed `trigger: {node}`). */
  @Column({ type: 'text', nullable: true })
  trigger_node!: string | null;

  /** The user billed (caller, agent owner, schedule creator, or the parent's user). */
  @Column({ type: 'text' })
  user_id!: string;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'executions_user_id_fkey' })
  user?: Relation<UserEntity>;

  /** The parent execution of a sub-agent run (`agent.run`). */
  @Index('executions_parent_id_idx', { where: 'parent_id IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  parent_id!: string | null;

  @ManyToOne(() => ExecutionEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'executions_parent_id_fkey' })
  parent?: Relation<ExecutionEntity> | null;

  /** The parent's `agent.run` node execution, WAITING for this child. */
  @Index('executions_parent_node_execution_id_idx', { where: 'parent_node_execution_id IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  parent_node_execution_id!: string | null;

  @ManyToOne(() => NodeExecutionEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_node_execution_id', foreignKeyConstraintName: 'executions_parent_node_execution_id_fkey' })
  parentNodeExecution?: Relation<NodeExecutionEntity> | null;

  /** The execution this one re-runs (`source: rerun`). */
  @Index('executions_rerun_of_idx', { where: 'rerun_of IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  rerun_of!: string | null;

  @ManyToOne(() => ExecutionEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'rerun_of', foreignKeyConstraintName: 'executions_rerun_of_fkey' })
  rerunOf?: Relation<ExecutionEntity> | null;

  /** The failed or cancelled execution this one retries from its failure (`source: retry`). */
  @Index('executions_retry_of_idx', { where: 'retry_of IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  retry_of!: string | null;

  @ManyToOne(() => ExecutionEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'retry_of', foreignKeyConstraintName: 'executions_retry_of_fkey' })
  retryOf?: Relation<ExecutionEntity> | null;

  /** 0 for a top-level run; a child is its parent's depth + 1 (DEPTH_LIMIT). */
  @Column({ type: 'integer', default: 0 })
  depth!: number;

  /** Graph input name -> value, as seeded (never secrets). */
  @Column({ type: 'jsonb', default: {} })
  inputs!: Record<string, unknown>;

  /** What the trigger node yielded (pin -> value), kept so a re-run replays the same event. */
  @Column({ type: 'jsonb', nullable: true })
  trigger_event!: Record<string, unknown> | null;

  /** The effective agent vars (declared values under config/vars*.yaml), stored when first run; re-runs copy it. */
  @Column({ type: 'jsonb', nullable: true })
  vars!: Record<string, unknown> | null;

  /** Credential names given to the execute API (names only, never secrets), for resume and re-run. */
  @Column({ type: 'jsonb', default: {} })
  credentials!: Record<string, unknown>;

  /**
   * Admitted by file trust (file-trust.ts), decided when the execution is written: names from the agent
   * file may use operator credentials whose `allow.file_agents` is on.
   */
  @Column({ type: 'boolean', default: false })
  file_trust!: boolean;

  /** Results `{output name: [values in order]}`, written when the execution finishes. */
  @Column({ type: 'jsonb', nullable: true })
  outputs!: Record<string, unknown[]> | null;

  @Column({ type: 'jsonb', nullable: true })
  error!: ExecutionError | null;

  /** Credits charged so far, summed over node attempts. */
  @Column({ type: 'integer', default: 0 })
  cost!: number;

  /** Node executions created so far (the NODE_LIMIT cap). */
  @Column({ type: 'integer', default: 0 })
  node_execution_count!: number;

  @Index('executions_preset_id_idx', { where: 'preset_id IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  preset_id!: string | null;

  @ManyToOne(() => PresetEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'preset_id', foreignKeyConstraintName: 'executions_preset_id_fkey' })
  preset?: Relation<PresetEntity> | null;

  @Index('executions_schedule_id_idx', { where: 'schedule_id IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  schedule_id!: string | null;

  // Named, not imported: schedules (triggers/) sit above executions in the layers, and nothing loads the relation.
  @ManyToOne('ScheduleEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'schedule_id', foreignKeyConstraintName: 'executions_schedule_id_fkey' })
  schedule?: Relation<{ id: string }> | null;

  /** The worker holding the execution (claimed and renewed atomically with `lease_until`). */
  @Column({ type: 'text', nullable: true })
  lease_owner!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lease_until!: Date | null;

  /** started_at + the execution timeout: past it the execution fails with EXECUTION_TIMEOUT. */
  @Column({ type: 'timestamptz', nullable: true })
  deadline_at!: Date | null;

  /** Set while every unfinished node waits (review, event, delay, child): that time does not count toward the timeout. */
  @Column({ type: 'timestamptz', nullable: true })
  waiting_since!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  started_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  ended_at!: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
