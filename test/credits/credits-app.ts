// The real app (in-process dispatch, a database of its own) plus a @Global module providing CREDIT_ALERTS
// the way the notifications module will, so tests read the alerts the credits module sends.
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { pino } from 'pino';
import { AppModule } from '../../src/app.module.js';
import { requestIdMiddleware } from '../../src/common/request-id.middleware.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { CREDIT_ALERTS, type CreditAlert, type CreditAlerts } from '../../src/credits/credits.alerts.js';
import { connect, createTestDatabase } from '../helpers/database.js';
import type { TestApp } from '../helpers/app.js';

export interface CreditsTestApp extends Omit<TestApp, 'redis'> {
  alerts: CreditAlert[];
}

export async function createCreditsTestApp(label: string, options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {}): Promise<CreditsTestApp> {
  const database = await createTestDatabase(label);
  const config = loadConfig({ env: { ...process.env, TRELLIS_ENV: 'test', DATABASE_URL: database.url, REDIS_URL: '', ...options.env }, overrides: options.overrides });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const dataSource = await connect(database.url);
  const alerts: CreditAlert[] = [];
  const capture: CreditAlerts = { send: async (alert) => void alerts.push(alert) };

  @Global()
  @Module({ providers: [{ provide: CREDIT_ALERTS, useValue: capture }], exports: [CREDIT_ALERTS] })
  class CaptureAlertsModule {}

  @Module({ imports: [CaptureAlertsModule, AppModule.forRoot({ config, dataSource, logger, redis: null })] })
  class RootModule {}

  const app = await NestFactory.create<NestExpressApplication>(RootModule, { logger: false, bodyParser: true, abortOnError: false });
  app.use(requestIdMiddleware(logger));
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.init();
  let closed = false;
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource,
    database,
    alerts,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}
