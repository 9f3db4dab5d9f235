import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { sqlIn } from '../database/column.helpers.js';
import { ExecutionEntity } from '../executions/execution.entity.js';

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected', 'timed_out', 'cancelled'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Who may decide, as stored: user ids (resolved from handles when opened) and roles. */
export interface StoredReviewers {
  users: string[];
  roles: string[];
}

/** The decision, as the audit record keeps it (by: the user's handle; null on timeout). */
export interface ReviewDecisionRecord {
  decision: string;
  by: string | null;
  by_user_id: string | null;
  at: string;
  comment: string | null;
  /** How it was decided: `api` or `link`. */
  via: 'api' | 'link' | 'timeout';
}

/** A human.review waiting for (or given) a decision (release-2.md section 3). */
@Entity({ name: 'reviews' })
@Check('reviews_status_check', sqlIn('status', REVIEW_STATUSES))
@Check('reviews_on_timeout_check', sqlIn('on_timeout', ['reject', 'approve', 'fail']))
@Unique('reviews_node_execution_id_tool_call_id_key', ['node_execution_id', 'tool_call_id'])
@Index('reviews_execution_id_idx', ['execution_id'])
@Index('reviews_pending_graph_id_idx', ['graph_id'], { where: `status = 'pending'` })
@Index('reviews_created_at_idx', ['created_at', 'id'])
export class ReviewEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'reviews_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  execution_id!: string;

  @ManyToOne(() => ExecutionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'execution_id', foreignKeyConstraintName: 'reviews_execution_id_fkey' })
  execution?: Relation<ExecutionEntity>;

  /** The waiting node execution: one review per node run (a re-run after a crash finds it). */
  @Column({ type: 'uuid' })
  node_execution_id!: string;

  /** The ai.agent tool call this review approves ('' for a human.review node): one review per node run and call. */
  @Column({ type: 'text', default: '' })
  tool_call_id!: string;

  @Column({ type: 'text' })
  node_id!: string;

  @Column({ type: 'text' })
  graph_id!: string;

  /** The execution's user (reads, decides only if named). */
  @Column({ type: 'text' })
  user_id!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'jsonb', nullable: true })
  data!: unknown;

  @Column({ type: 'jsonb' })
  decisions!: string[];

  @Column({ type: 'jsonb', nullable: true })
  schema!: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  reviewers!: StoredReviewers;

  @Column({ type: 'text' })
  on_timeout!: 'reject' | 'approve' | 'fail';

  @Column({ type: 'text', default: 'pending' })
  status!: ReviewStatus;

  @Column({ type: 'jsonb', nullable: true })
  decision!: ReviewDecisionRecord | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  expires_at!: Date;
}
