import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { bigintAsNumber, sqlIn } from '../database/column.helpers.js';
import { UserEntity } from '../users/user.entity.js';

export const CREDIT_TRANSACTION_TYPES = ['GRANT', 'TOP_UP', 'USAGE', 'REFUND'] as const;
export type CreditTransactionType = (typeof CREDIT_TRANSACTION_TYPES)[number];

/**
 * The ledger: one row per movement with the balance after it. `execution_id` and `node_execution_id` are
 * plain columns, not foreign keys: the ledger outlives executions pruned by retention. A node attempt is
 * charged (USAGE) at most once (and each call it charges on its own, by `charge_key`) and refunded at most once,
 * whatever crashes and resumes happen.
 */
@Entity({ name: 'credit_transactions' })
@Check('credit_transactions_type_check', sqlIn('type', CREDIT_TRANSACTION_TYPES))
@Check('credit_transactions_amount_check', `CASE WHEN type = 'USAGE' THEN amount <= 0 ELSE amount > 0 END`)
@Check('credit_transactions_running_balance_check', 'running_balance >= 0')
@Check('credit_transactions_attempt_check', 'node_execution_id IS NULL OR (attempt IS NOT NULL AND attempt >= 1)')
@Index('credit_transactions_user_id_id_idx', ['user_id', 'id'])
@Index('credit_transactions_usage_key', ['node_execution_id', 'attempt'], {
  unique: true,
  where: `type = 'USAGE' AND node_execution_id IS NOT NULL AND charge_key IS NULL`,
})
@Index('credit_transactions_call_key', ['node_execution_id', 'charge_key'], { unique: true, where: `type = 'USAGE' AND charge_key IS NOT NULL` })
@Index('credit_transactions_refund_key', ['node_execution_id', 'attempt'], { unique: true, where: `type = 'REFUND' AND node_execution_id IS NOT NULL` })
@Index('credit_transactions_execution_id_idx', ['execution_id'], { where: 'execution_id IS NOT NULL' })
export class CreditTransactionEntity {
  /** bigserial; pg returns it as a string, and ids are opaque strings anyway. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'credit_transactions_pkey' })
  id!: string;

  @Column({ type: 'text' })
  user_id!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_transactions_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  type!: CreditTransactionType;

  /** Signed: negative for USAGE, positive otherwise. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount!: number;

  /** The balance right after this movement. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  running_balance!: number;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  execution_id!: string | null;

  @Column({ type: 'uuid', nullable: true })
  node_execution_id!: string | null;

  /** The node attempt charged (USAGE) or refunded (REFUND), 1-based. */
  @Column({ type: 'integer', nullable: true })
  attempt!: number | null;

  /**
   * A call inside a node attempt charged on its own (an ai.agent model call or block tool run: `step:<n>:model`,
   * `step:<n>:tool:<call id>`); unique per node execution. Null: the attempt's own charge.
   */
  @Column({ type: 'text', nullable: true })
  charge_key!: string | null;

  /** The block charged, for the ledger and metrics. */
  @Column({ type: 'text', nullable: true })
  block!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
