// A new user's credit account, opened in the user's own transaction. Credits sit above users in the layers:
// the global CreditsModule provides CREDIT_ACCOUNTS (CreditsRepository), and the CLI passes one directly.
import type { EntityManager } from 'typeorm';

export interface CreditAccounts {
  /** Opens `userId`'s account with `amount` credits, recorded with `reason`, inside `manager`'s transaction. */
  openAccount(manager: EntityManager, userId: string, amount: number, reason: string): Promise<void>;
}

export const CREDIT_ACCOUNTS = Symbol('CREDIT_ACCOUNTS');
