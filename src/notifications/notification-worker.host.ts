// The worker side of deliveries: consumes the notification queue and, every so often, re-queues PENDING
// deliveries whose job was lost (a crash, a Redis flush). Runs in the worker and all roles.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { NOTIFICATION_QUEUE, type NotificationQueue } from './notification-queue.js';
import { NotificationDeliverer } from './notification.deliverer.js';
import { NotificationsRepository } from './notifications.repository.js';

const SWEEP_MS = 30_000;
/** A PENDING delivery this late (past its time or its lease) lost its job. */
const OVERDUE_GRACE_MS = 30_000;

@Injectable()
export class NotificationWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NOTIFICATION_QUEUE) private readonly queue: NotificationQueue,
    private readonly deliverer: NotificationDeliverer,
    private readonly repository: NotificationsRepository,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.queue.consume((id) => this.deliverer.attempt(id), this.config.notifications.concurrency);
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.queue.close();
  }

  async sweep(): Promise<void> {
    try {
      const overdue = await this.repository.overdue(OVERDUE_GRACE_MS, 500);
      for (const row of overdue) await this.queue.enqueue(row.id, row.attempts + 1, 0);
      if (overdue.length) this.logger.info({ count: overdue.length }, 'notification deliveries whose job was lost are queued again');
    } catch (error) {
      this.logger.warn({ err: error }, 'the notification delivery sweep failed; it runs again shortly');
    }
  }
}
