// Where credit alerts leave the credits module. The notifications module provides CREDIT_ALERTS (from a
// @Global module, or one CreditsModule can see); until then the default below only logs.
import type { Logger } from 'pino';

export type CreditAlertKind = 'LOW_BALANCE' | 'ZERO_BALANCE';

export interface CreditAlert {
  kind: CreditAlertKind;
  userId: string;
  /** The balance right after the charge that raised the alert. */
  balance: number;
  /** `credits.low_balance_threshold` when the alert was raised. */
  threshold: number;
}

/**
 * Receives LOW_BALANCE (once per downward crossing of the threshold) and ZERO_BALANCE (on reaching zero).
 * Called after the charge is committed; a failure is logged and never undoes or fails the charge.
 */
export interface CreditAlerts {
  send(alert: CreditAlert): Promise<void>;
}

export const CREDIT_ALERTS = Symbol('CREDIT_ALERTS');

export function loggingCreditAlerts(logger: Logger): CreditAlerts {
  return {
    send: async (alert) => {
      logger.info({ user_id: alert.userId, kind: alert.kind, balance: alert.balance, threshold: alert.threshold }, `credit alert ${alert.kind}`);
    },
  };
}
