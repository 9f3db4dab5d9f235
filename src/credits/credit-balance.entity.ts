import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { bigintAsNumber } from '../database/column.helpers.js';
import { UserEntity } from '../users/user.entity.js';

/**
 * A user's credit account. Charges are one `UPDATE ... SET balance = balance - $cost WHERE balance >= $cost`;
 * the CHECK makes a negative balance impossible whatever the concurrency.
 */
@Entity({ name: 'credit_balances' })
@Check('credit_balances_balance_check', 'balance >= 0')
export class CreditBalanceEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'credit_balances_pkey' })
  user_id!: string;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_balances_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'bigint', default: 0, transformer: bigintAsNumber })
  balance!: number;

  /**
   * True once the balance went below `credits.low_balance_threshold` and LOW_BALANCE was sent; reset when it
   * rises above again, so the notice goes once per downward crossing.
   */
  @Column({ type: 'boolean', default: false })
  below_threshold!: boolean;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
