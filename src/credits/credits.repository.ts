// SQL of credit accounts and the ledger. Every movement is ONE statement: the balance row is locked,
// changed only if the result stays >= 0, and the ledger row with the running balance is written with it.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CreditTransactionType } from './credit-transaction.entity.js';
import type { CreditAccounts } from '../users/credit-accounts.types.js';

/** A DataSource or the EntityManager of a caller's transaction. */
export type Queryable = Pick<EntityManager, 'query'>;

export interface UsageCharge {
  userId: string;
  amount: number;
  threshold: number;
  /** Null for ad-hoc block runs (POST /api/blocks/{id}/execute), which are not idempotent. */
  nodeExecutionId: string | null;
  attempt: number | null;
  executionId: string | null;
  block: string;
  reason: string;
  /** A call inside the attempt charged on its own (ai.agent): unique per (node execution, key), whatever the attempt. */
  chargeKey?: string | null;
}

export type ChargeOutcome =
  | { kind: 'charged'; transactionId: string; balance: number; crossedThreshold: boolean }
  | { kind: 'already_charged' }
  | { kind: 'refused'; balance: number | null };

export interface Credit {
  userId: string;
  type: Exclude<CreditTransactionType, 'USAGE'>;
  amount: number;
  threshold: number;
  reason: string | null;
}

export interface TransactionRow {
  id: string;
  type: CreditTransactionType;
  amount: string;
  running_balance: string;
  reason: string | null;
  execution_id: string | null;
  node_execution_id: string | null;
  attempt: number | null;
  block: string | null;
  created_at: Date;
}

export interface AccountRow {
  balance: number;
  below_threshold: boolean;
}

const TRANSACTION_COLUMNS = 'id, type, amount, running_balance, reason, execution_id, node_execution_id, attempt, block, created_at';

// $1 user, $2 cost (> 0), $3 threshold, $4 node execution, $5 attempt, $6 reason, $7 execution, $8 block,
// $9 charge key (null: the attempt's own charge, unique per attempt; else unique per node execution and key).
// `locked` waits for and returns the newest balance; `prior` answers "already charged" for a repeat.
const CHARGE_SQL = `
WITH locked AS (
  SELECT user_id, balance, below_threshold FROM credit_balances WHERE user_id = $1 FOR UPDATE
), prior AS (
  SELECT 1 FROM credit_transactions
   WHERE type = 'USAGE' AND $4::uuid IS NOT NULL AND node_execution_id = $4::uuid
     AND CASE WHEN $9::text IS NULL THEN attempt = $5::int AND charge_key IS NULL ELSE charge_key = $9::text END
), debit AS (
  UPDATE credit_balances b
     SET balance = l.balance - $2::bigint,
         below_threshold = (l.balance - $2::bigint) < $3::bigint,
         updated_at = now()
    FROM locked l
   WHERE b.user_id = l.user_id AND l.balance >= $2::bigint AND NOT EXISTS (SELECT 1 FROM prior)
  RETURNING b.balance, l.below_threshold AS was_below, b.below_threshold AS now_below
), entry AS (
  INSERT INTO credit_transactions (user_id, type, amount, running_balance, reason, execution_id, node_execution_id, attempt, block, charge_key)
  SELECT $1, 'USAGE', -$2::bigint, d.balance, $6, $7::uuid, $4::uuid, $5::int, $8, $9::text FROM debit d
  RETURNING id
)
SELECT (SELECT balance FROM locked) AS balance_before,
       EXISTS (SELECT 1 FROM prior) AS already,
       d.balance, d.was_below, d.now_below,
       (SELECT id FROM entry) AS transaction_id
  FROM (SELECT 1) AS one LEFT JOIN debit d ON true`;

// $1 user, $2 amount (> 0), $3 threshold, $4 type, $5 reason, $6 execution, $7 node execution, $8 attempt,
// $9 block. Rising to the threshold or above re-arms LOW_BALANCE. A balance never passes 2^53 - 1 (what a JSON
// number holds exactly): such a credit changes nothing and answers no row.
const CREDIT_SQL = `
WITH credit AS (
  UPDATE credit_balances
     SET balance = balance + $2::bigint,
         below_threshold = below_threshold AND balance + $2::bigint < $3::bigint,
         updated_at = now()
   WHERE user_id = $1 AND balance + $2::bigint <= ${Number.MAX_SAFE_INTEGER}
  RETURNING balance
), entry AS (
  INSERT INTO credit_transactions (user_id, type, amount, running_balance, reason, execution_id, node_execution_id, attempt, block)
  SELECT $1, $4, $2::bigint, c.balance, $5, $6::uuid, $7::uuid, $8::int, $9 FROM credit c
  RETURNING ${TRANSACTION_COLUMNS}
)
SELECT * FROM entry`;

@Injectable()
export class CreditsRepository implements CreditAccounts {
  /**
   * Opens a user's account with its initial grant, inside the caller's transaction (the one creating the
   * user): the balance row, and a GRANT ledger row with its running balance when the grant is not zero.
   */
  async openAccount(manager: EntityManager, userId: string, amount: number, reason: string): Promise<void> {
    if (!Number.isInteger(amount) || amount < 0) throw new RangeError(`an initial grant is a whole number of credits, 0 or more (got ${amount})`);
    await manager.query(`INSERT INTO credit_balances (user_id, balance) VALUES ($1, $2)`, [userId, amount]);
    if (amount > 0) {
      await manager.query(`INSERT INTO credit_transactions (user_id, type, amount, running_balance, reason) VALUES ($1, 'GRANT', $2, $2, $3)`, [
        userId,
        amount,
        reason,
      ]);
    }
  }

  /** Debits `amount` (> 0) if the balance covers it; a repeat of the same (node execution, attempt) is a no-op. */
  async charge(db: Queryable, charge: UsageCharge): Promise<ChargeOutcome> {
    let rows: Array<{
      balance_before: string | null;
      already: boolean;
      balance: string | null;
      was_below: boolean | null;
      now_below: boolean | null;
      transaction_id: string | null;
    }>;
    try {
      rows = await db.query(CHARGE_SQL, [
        charge.userId,
        charge.amount,
        charge.threshold,
        charge.nodeExecutionId,
        charge.attempt,
        charge.reason,
        charge.executionId,
        charge.block,
        charge.chargeKey ?? null,
      ]);
    } catch (error) {
      // Two charges of one attempt (or call) at the same moment: the later statement hits the unique key and is rolled back whole.
      if (isUniqueViolation(error, 'credit_transactions_usage_key') || isUniqueViolation(error, 'credit_transactions_call_key'))
        return { kind: 'already_charged' };
      throw error;
    }
    const row = rows[0]!;
    if (row.already) return { kind: 'already_charged' };
    if (row.transaction_id === null || row.balance === null)
      return { kind: 'refused', balance: row.balance_before === null ? null : Number(row.balance_before) };
    return {
      kind: 'charged',
      transactionId: String(row.transaction_id),
      balance: Number(row.balance),
      crossedThreshold: row.was_below === false && row.now_below === true,
    };
  }

  /** Adds credits (GRANT, TOP_UP, REFUND) with a ledger row; null when the user has no account. */
  async credit(
    db: Queryable,
    credit: Credit,
    attempt: { executionId: string | null; nodeExecutionId: string; attempt: number; block: string | null } | null = null,
  ): Promise<TransactionRow | null> {
    const rows: TransactionRow[] = await db.query(CREDIT_SQL, [
      credit.userId,
      credit.amount,
      credit.threshold,
      credit.type,
      credit.reason,
      attempt?.executionId ?? null,
      attempt?.nodeExecutionId ?? null,
      attempt?.attempt ?? null,
      attempt?.block ?? null,
    ]);
    return rows[0] ?? null;
  }

  /** The USAGE row of one node attempt's own charge (not its calls'), if it was charged. */
  async usageOf(
    db: Queryable,
    nodeExecutionId: string,
    attempt: number,
  ): Promise<{ user_id: string; amount: number; execution_id: string | null; block: string | null } | null> {
    const rows: Array<{ user_id: string; amount: string; execution_id: string | null; block: string | null }> = await db.query(
      `SELECT user_id, amount, execution_id, block FROM credit_transactions WHERE type = 'USAGE' AND node_execution_id = $1 AND attempt = $2 AND charge_key IS NULL`,
      [nodeExecutionId, attempt],
    );
    const row = rows[0];
    return row ? { user_id: row.user_id, amount: -Number(row.amount), execution_id: row.execution_id, block: row.block } : null;
  }

  async account(db: Queryable, userId: string): Promise<AccountRow | null> {
    const rows: Array<{ balance: string; below_threshold: boolean }> = await db.query(
      `SELECT balance, below_threshold FROM credit_balances WHERE user_id = $1`,
      [userId],
    );
    const row = rows[0];
    return row ? { balance: Number(row.balance), below_threshold: row.below_threshold } : null;
  }

  async userExists(db: Queryable, userId: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM users WHERE id = $1`, [userId]);
    return rows.length > 0;
  }

  /** A user's ledger, newest first; `before` is the id of the last row of the previous page. */
  async transactions(db: Queryable, userId: string, before: string | null, limit: number): Promise<TransactionRow[]> {
    return db.query(
      `SELECT ${TRANSACTION_COLUMNS} FROM credit_transactions
        WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [userId, before, limit],
    );
  }
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && name === constraint;
}
