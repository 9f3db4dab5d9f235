// CREDIT_ALERTS: LOW_BALANCE and ZERO_BALANCE reach the user through their preferences for those kinds.
import { Injectable } from '@nestjs/common';
import type { CreditAlert, CreditAlerts } from '../credits/credits.alerts.js';
import { NotificationsService, type NoticeInput } from './notifications.service.js';

@Injectable()
export class CreditAlertsNotifier implements CreditAlerts {
  constructor(private readonly notifications: NotificationsService) {}

  send(alert: CreditAlert): Promise<void> {
    return this.notifications.notifyUser(alert.userId, creditNotice(alert));
  }
}

export function creditNotice(alert: CreditAlert): NoticeInput {
  const data = { balance: alert.balance, threshold: alert.threshold };
  if (alert.kind === 'ZERO_BALANCE') {
    return {
      kind: 'ZERO_BALANCE',
      title: 'Your credits are used up',
      body: 'Your balance reached 0 credits: runs billed to you fail until an admin tops it up (GET /api/user/credits shows the balance).',
      data,
    };
  }
  return {
    kind: 'LOW_BALANCE',
    title: 'Your credits are running low',
    body: `Your balance is ${alert.balance} credits, below ${alert.threshold}. Ask an admin for a top-up before runs start to fail (GET /api/user/credits shows the balance).`,
    data,
  };
}
