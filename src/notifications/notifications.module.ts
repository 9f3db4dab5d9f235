// Notifications for every role: the service, the delivery queue (BullMQ when REDIS_URL is set, durable_jobs
// otherwise), the worker host, and the hooks other modules call: EXECUTION_FINISHED_HOOK (executions) and CREDIT_ALERTS
// (credits). Global, so the executions worker and credits find them without importing this module.
import { Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '../common/logger.js';
import { REDIS } from '../common/redis.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CREDIT_ALERTS } from '../credits/credits.alerts.js';
import type { AppConfig } from '../config/config.schema.js';
import { EXECUTION_FINISHED_HOOK } from '../executions/execution.hooks.js';
import { IntegrationsModule } from '../integrations/integrations.module.js';
import { CreditAlertsNotifier } from './credit-alerts.notifier.js';
import { ExecutionFinishedNotifier } from './execution-finished.notifier.js';
import { createDurableQueue } from '../queue/durable-queue.factory.js';
import { NOTIFICATION_QUEUE, NOTIFICATIONS_QUEUE_NAME, QueueNotificationQueue, type NotificationQueue } from './notification-queue.js';
import { NotificationWorkerHost } from './notification-worker.host.js';
import { NotificationDeliverer } from './notification.deliverer.js';
import { NotificationTargets } from './notification.targets.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

export function createNotificationQueue(config: AppConfig, redis: Redis | null, dataSource: DataSource, logger: Logger): NotificationQueue {
  return new QueueNotificationQueue(createDurableQueue(NOTIFICATIONS_QUEUE_NAME, config, redis, dataSource, logger));
}

@Global()
@Module({
  imports: [IntegrationsModule],
  providers: [
    NotificationsRepository,
    NotificationTargets,
    NotificationDeliverer,
    NotificationsService,
    NotificationWorkerHost,
    ExecutionFinishedNotifier,
    CreditAlertsNotifier,
    { provide: NOTIFICATION_QUEUE, inject: [APP_CONFIG, REDIS, DataSource, LOGGER], useFactory: createNotificationQueue },
    { provide: EXECUTION_FINISHED_HOOK, useExisting: ExecutionFinishedNotifier },
    { provide: CREDIT_ALERTS, useExisting: CreditAlertsNotifier },
  ],
  exports: [NotificationsService, EXECUTION_FINISHED_HOOK, CREDIT_ALERTS],
})
export class NotificationsModule {}
