// SQL of credit accounts. (This issue needs only opening an account; charges and the ledger API come later.)
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class CreditsRepository {
  /**
   * Opens a user's account with its initial grant, inside the caller's transaction (the one creating the
   * user): the balance row, and a GRANT ledger row with its running balance when the grant is not zero.
   */
  async openAccount(manager: EntityManager, userId: string, amount: number, reason: string): Promise<void> {
    if (!Number.isInteger(amount) || amount < 0) throw new RangeError(`an initial grant is a whole number of credits, 0 or more (got ${amount})`);
    await manager.query(`INSERT INTO credit_balances (user_id, balance) VALUES ($1, $2)`, [userId, amount]);
    if (amount > 0) {
      await manager.query(
        `INSERT INTO credit_transactions (user_id, type, amount, running_balance, reason) VALUES ($1, 'GRANT', $2, $2, $3)`,
        [userId, amount, reason],
      );
    }
  }
}
