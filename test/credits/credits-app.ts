// The test app (test/helpers/app.ts) plus a @Global module providing CREDIT_ALERTS in place of the
// notifications module's, so tests read the alerts the credits module sends.
import { Global, Module } from '@nestjs/common';
import { CREDIT_ALERTS, type CreditAlert, type CreditAlerts } from '../../src/credits/credits.alerts.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

export interface CreditsTestApp extends TestApp {
  alerts: CreditAlert[];
}

export async function createCreditsTestApp(
  label: string,
  options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {},
): Promise<CreditsTestApp> {
  const alerts: CreditAlert[] = [];
  const capture: CreditAlerts = { send: async (alert) => void alerts.push(alert) };

  @Global()
  @Module({ providers: [{ provide: CREDIT_ALERTS, useValue: capture }], exports: [CREDIT_ALERTS] })
  class CaptureAlertsModule {}

  const t = await createTestApp({ label, ...options, modules: [CaptureAlertsModule] });
  return Object.assign(t, { alerts });
}
