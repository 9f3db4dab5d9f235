import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AgentsModule } from './agents/agents.module.js';
import { AuthHttpModule } from './auth/auth-http.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BlocksHttpModule } from './blocks/blocks-http.module.js';
import { BlocksModule } from './blocks/blocks.module.js';
import { CommonModule } from './common/common.module.js';
import { AllErrorsFilter } from './common/error.filter.js';
import { ValidationPipe } from './common/validation.pipe.js';
import { ConfigModule } from './config/config.module.js';
import { CreditsHttpModule } from './credits/credits-http.module.js';
import { CreditsModule } from './credits/credits.module.js';
import type { AppConfig } from './config/config.schema.js';
import { DatabaseModule } from './database/database.module.js';
import { ExecutionEventsModule } from './executions/events/execution-events.module.js';
import { ExecutionsHttpModule } from './executions/executions-http.module.js';
import { ExecutionsWorkerModule } from './executions/executions-worker.module.js';
import { ExecutionsWsModule } from './executions/ws/executions-ws.module.js';
import { GraphsHttpModule } from './graphs/graphs-http.module.js';
import { GraphsModule } from './graphs/graphs.module.js';
import { HealthModule } from './health/health.module.js';
import { IntegrationsHttpModule } from './integrations/integrations-http.module.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { WebhooksModule } from './triggers/webhooks/webhooks.module.js';
import { NotificationsHttpModule } from './notifications/notifications-http.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { GitopsModule } from './triggers/gitops/gitops.module.js';
import { ReviewsHttpModule } from './reviews/reviews-http.module.js';
import { ReviewsModule } from './reviews/reviews.module.js';
import { WaitEventsHttpModule } from './wait-events/wait-events-http.module.js';
import { SchedulesHttpModule } from './triggers/schedules/schedules-http.module.js';
import { SchedulesModule } from './triggers/schedules/schedules.module.js';
import { UsersHttpModule } from './auth/users-http.module.js';
import { UsersModule } from './users/users.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  dataSource: DataSource;
  logger: Logger;
  redis: Redis | null;
}

/** Feature modules every role loads (services only; no HTTP surface of their own). */
const CORE_MODULES: NonNullable<ModuleMetadata['imports']> = [
  UsersModule,
  AuthModule,
  IntegrationsModule,
  BlocksModule,
  CreditsModule,
  NotificationsModule,
  ReviewsModule,
  ExecutionEventsModule,
  GraphsModule,
  SchedulesModule,
];
/** Modules of the `api` role: controllers, webhooks, the WebSocket gateway. */
const API_MODULES: NonNullable<ModuleMetadata['imports']> = [
  AuthHttpModule,
  UsersHttpModule,
  IntegrationsHttpModule,
  BlocksHttpModule,
  ExecutionsWsModule,
  AgentsModule,
  GraphsHttpModule,
  ExecutionsHttpModule,
  CreditsHttpModule,
  SchedulesHttpModule,
  GitopsModule,
  NotificationsHttpModule,
  ReviewsHttpModule,
  WaitEventsHttpModule,
  WebhooksModule,
];
/** Modules of the `worker` role: queue consumers, schedulers, housekeeping. */
const WORKER_MODULES: NonNullable<ModuleMetadata['imports']> = [ExecutionsWorkerModule];

/** Composes the feature modules; `config.role` picks the api and worker parts. */
@Module({})
export class AppModule {
  static forRoot({ config, dataSource, logger, redis }: AppModuleOptions): DynamicModule {
    const api = config.role === 'api' || config.role === 'all';
    const worker = config.role === 'worker' || config.role === 'all';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule.forRoot(logger, redis),
        DatabaseModule.forRoot(dataSource),
        // Registered once for every role: housekeeping jobs (@Interval/@Cron) live in feature modules.
        ScheduleModule.forRoot(),
        MetricsModule,
        HealthModule,
        ...CORE_MODULES,
        ...(api ? API_MODULES : []),
        ...(worker ? WORKER_MODULES : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllErrorsFilter },
        { provide: APP_PIPE, useClass: ValidationPipe },
      ],
    };
  }
}
