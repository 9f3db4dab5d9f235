import { Check, Column, CreateDateColumn, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import type { NodeError } from './engine/engine.errors.js';
import { NodeRunStatus, type NodeAttempt, type StoredWaitReason } from './engine/engine.types.js';
import { ExecutionEntity } from './execution.entity.js';

/** The node-run statuses are the engine's (engine.types.ts NodeRunStatus): one vocabulary. */
export const NODE_EXECUTION_STATUSES = Object.values(NodeRunStatus);

/**
 * One run of one node with one complete set of inputs (or, while INCOMPLETE, the pins collected so far).
 * The engine rebuilds an execution's state from these rows after a crash: COMPLETED rows are never run again.
 * Code reads and writes these rows as the engine's NodeRunRecord (engine.types.ts, mapped by node-run-rows.ts).
 */
@Entity({ name: 'node_executions' })
@Check('node_executions_status_check', sqlIn('status', NODE_EXECUTION_STATUSES))
@Check('node_executions_counts_check', 'cost >= 0 AND attempt >= 0 AND delivered_seq >= 0')
@Check('node_executions_waiting_check', `status <> 'WAITING' OR resume_at IS NOT NULL OR waiting_for IS NOT NULL`)
@Index('node_executions_execution_id_status_idx', ['execution_id', 'status'])
// Detail and `/executions/{id}/nodes` pages in creation order, cursor `seq`.
@Index('node_executions_execution_id_seq_idx', ['execution_id', 'seq'])
// Delays and retry backoffs that are due.
@Index('node_executions_resume_at_idx', ['resume_at'], { where: `status = 'WAITING' AND resume_at IS NOT NULL` })
export class NodeExecutionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'node_executions_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  execution_id!: string;

  /**
   * Creation order, assigned by the database (a sequence): rows written in one transaction share
   * `created_at`, so FIFO pairing on resume and the detail's order go by `seq`. bigint, read as a string.
   */
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq!: string;

  @ManyToOne(() => ExecutionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'execution_id', foreignKeyConstraintName: 'node_executions_execution_id_fkey' })
  execution?: Relation<ExecutionEntity>;

  @Column({ type: 'text' })
  node_id!: string;

  /** The block id, copied from the definition so lists and metrics need no join. */
  @Column({ type: 'text' })
  block!: string;

  @Column({ type: 'text' })
  status!: NodeRunStatus;

  /** Pin -> value of this run (for INCOMPLETE: the pins collected so far). */
  @Column({ type: 'jsonb', default: {} })
  inputs!: Record<string, unknown>;

  /** Pin -> [values in yield order]. */
  @Column({ type: 'jsonb', default: {} })
  outputs!: Record<string, unknown[]>;

  @Column({ type: 'jsonb', nullable: true })
  error!: NodeError | null;

  /** Credits charged over its attempts. */
  @Column({ type: 'integer', default: 0 })
  cost!: number;

  @Column({ type: 'jsonb', default: [] })
  attempts!: NodeAttempt[];

  /** The current (or last) attempt, 1-based; 0 before the first. */
  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  /** Times the node was run again after its worker's lease lapsed (capped by executor.max_resumes). */
  @Column({ type: 'integer', default: 0 })
  resumes!: number;

  /** When a WAITING node (delay, retry backoff) is due. */
  @Column({ type: 'timestamptz', nullable: true })
  resume_at!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  waiting_for!: StoredWaitReason | null;

  /** Streaming blocks: the highest yield sequence number already delivered along links (0: none). */
  @Column({ type: 'integer', default: 0 })
  delivered_seq!: number;

  /** Copied from the execution a retry retries (inputs and yields as they were), not run: no attempt, no charge. */
  @Column({ type: 'boolean', default: false })
  reused!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  started_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  ended_at!: Date | null;
}
