// Credits: charging node attempts and block runs, refunds of attempts that never ran, admin credits, the
// balance and the ledger. Alerts (LOW_BALANCE, ZERO_BALANCE) go out after the charge is committed.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CREDIT_ALERTS, loggingCreditAlerts, type CreditAlert, type CreditAlerts } from './credits.alerts.js';
import { chargeRefused, creditUserNotFound, balanceTooLarge } from './credits.errors.js';
import { CreditsRepository, isUniqueViolation, type TransactionRow } from './credits.repository.js';

export interface AttemptCharge {
  userId: string;
  executionId: string;
  nodeExecutionId: string;
  attempt: number;
  block: string;
  /** Shown in the refusal: `Node "x" (code.js)`. */
  label: string;
  cost: number;
  /** A call inside the attempt charged on its own (an ai.agent model call or tool run): charged once per (node execution, key). */
  call?: { key: string; reason: string };
}

export interface ChargeAnswer {
  /** Credits taken by this call: 0 when credits are off, the cost is 0, or the attempt was charged before. */
  amount: number;
  alreadyCharged: boolean;
  /** The balance after the charge; null when nothing was read. */
  balance: number | null;
}

export type RefundAnswer = { refunded: true; amount: number; transaction: TransactionRow } | { refunded: false; reason: 'not_charged' | 'already_refunded' };

export interface CreditsAccount {
  balance: number;
  low_balance_threshold: number;
  enabled: boolean;
}

@Injectable()
export class CreditsService {
  private readonly alerts: CreditAlerts;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: CreditsRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(CREDIT_ALERTS) alerts: CreditAlerts | null,
  ) {
    this.alerts = alerts ?? loggingCreditAlerts(this.logger);
  }

  get enabled(): boolean {
    return this.config.credits.enabled;
  }

  /** Charges one node attempt (or one call inside it) once; refuses with INSUFFICIENT_CREDITS when the balance does not cover it. */
  async chargeAttempt(charge: AttemptCharge): Promise<ChargeAnswer> {
    return this.debit(charge.userId, charge.cost, charge.block, charge.label, {
      nodeExecutionId: charge.nodeExecutionId,
      attempt: charge.attempt,
      executionId: charge.executionId,
      reason: charge.call?.reason ?? `node attempt ${charge.attempt}`,
      chargeKey: charge.call?.key ?? null,
    });
  }

  /** Charges an ad-hoc block run (POST /api/blocks/{id}/execute): 402 INSUFFICIENT_CREDITS when it does not fit. */
  async chargeBlockRun(userId: string, block: string, cost: number): Promise<ChargeAnswer> {
    return this.debit(userId, cost, block, `Block ${block}`, {
      nodeExecutionId: null,
      attempt: null,
      executionId: null,
      reason: `POST /api/blocks/${block}/execute`,
      chargeKey: null,
    });
  }

  /**
   * Returns the charge of an attempt that never ran because of a platform failure; at most once per
   * attempt. Works when credits are off too: what was taken is given back.
   */
  async refund(nodeExecutionId: string, attempt: number): Promise<RefundAnswer> {
    const usage = await this.repository.usageOf(this.dataSource, nodeExecutionId, attempt);
    if (!usage) return { refunded: false, reason: 'not_charged' };
    try {
      const row = await this.repository.credit(
        this.dataSource,
        {
          userId: usage.user_id,
          type: 'REFUND',
          amount: usage.amount,
          threshold: this.config.credits.low_balance_threshold,
          reason: `refund of node attempt ${attempt}: it never ran (platform failure)`,
        },
        { executionId: usage.execution_id, nodeExecutionId, attempt, block: usage.block },
      );
      if (!row) return { refunded: false, reason: 'not_charged' };
      return { refunded: true, amount: usage.amount, transaction: row };
    } catch (error) {
      if (isUniqueViolation(error, 'credit_transactions_refund_key')) return { refunded: false, reason: 'already_refunded' };
      throw error;
    }
  }

  /** An admin's GRANT, TOP_UP or REFUND: answers the ledger row (with the new balance). 404 for an unknown user. */
  async adminCredit(userId: string, type: 'GRANT' | 'TOP_UP' | 'REFUND', amount: number, reason: string | null): Promise<TransactionRow> {
    const row = await this.repository.credit(this.dataSource, { userId, type, amount, threshold: this.config.credits.low_balance_threshold, reason });
    if (row) return row;
    const account = await this.repository.account(this.dataSource, userId);
    if (account) throw balanceTooLarge(account.balance, amount);
    if (!(await this.repository.userExists(this.dataSource, userId))) throw creditUserNotFound(userId);
    // A user without an account (made before accounts existed): open it with this credit.
    await this.dataSource.transaction(async (manager) => this.repository.openAccount(manager, userId, 0, 'account opened'));
    return (await this.repository.credit(this.dataSource, { userId, type, amount, threshold: this.config.credits.low_balance_threshold, reason }))!;
  }

  async account(userId: string): Promise<CreditsAccount> {
    const account = await this.repository.account(this.dataSource, userId);
    return { balance: account?.balance ?? 0, low_balance_threshold: this.config.credits.low_balance_threshold, enabled: this.config.credits.enabled };
  }

  async transactions(userId: string, before: string | null, limit: number): Promise<{ rows: TransactionRow[]; more: boolean }> {
    const rows = await this.repository.transactions(this.dataSource, userId, before, limit + 1);
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  private async debit(
    userId: string,
    cost: number,
    block: string,
    label: string,
    key: { nodeExecutionId: string | null; attempt: number | null; executionId: string | null; reason: string; chargeKey: string | null },
  ): Promise<ChargeAnswer> {
    if (!this.config.credits.enabled || cost <= 0) return { amount: 0, alreadyCharged: false, balance: null };
    const threshold = this.config.credits.low_balance_threshold;
    const outcome = await this.repository.charge(this.dataSource, { userId, amount: cost, threshold, block, ...key });
    if (outcome.kind === 'already_charged') return { amount: 0, alreadyCharged: true, balance: null };
    if (outcome.kind === 'refused') throw chargeRefused(label, cost, outcome.balance);
    this.metrics.creditsSpent.inc({ block }, cost);
    if (outcome.crossedThreshold) this.alert({ kind: 'LOW_BALANCE', userId, balance: outcome.balance, threshold });
    if (outcome.balance === 0) this.alert({ kind: 'ZERO_BALANCE', userId, balance: 0, threshold });
    return { amount: cost, alreadyCharged: false, balance: outcome.balance };
  }

  private alert(alert: CreditAlert): void {
    void this.alerts
      .send(alert)
      .catch((error: unknown) => this.logger.warn({ err: error, user_id: alert.userId, kind: alert.kind }, 'a credit alert could not be sent'));
  }
}
