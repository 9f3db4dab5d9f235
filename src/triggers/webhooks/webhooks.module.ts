// Webhook and GitHub triggers (api role): the two public endpoints under /webhooks, the in-memory trigger
// catalog and deduplicated deliveries (their rows, admitted with their executions). Expired delivery rows are pruned hourly.
import { Inject, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from '../../auth/auth.module.js';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { ExecutionsModule } from '../../executions/executions.module.js';
import { GraphsModule } from '../../graphs/graphs.module.js';
import { UsersModule } from '../../users/users.module.js';
import { GithubEventsModule } from '../github/github-events.module.js';
import { GithubWebhooksController } from '../github/github-webhooks.controller.js';
import { GithubWebhooksService } from '../github/github-webhooks.service.js';
import { EarlyAnswers } from './early-answer.js';
import { TriggerCatalog } from './trigger-catalog.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhookDeliveries } from './webhook-deliveries.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

const PRUNE_EVERY_MS = 60 * 60_000;
const PRUNE_BATCH = 10_000;

@Module({
  imports: [ExecutionsModule, GraphsModule, UsersModule, AuthModule, GithubEventsModule],
  controllers: [GithubWebhooksController, WebhooksController],
  providers: [TriggerCatalog, WebhooksRepository, EarlyAnswers, WebhookDeliveries, WebhooksService, GithubWebhooksService],
  exports: [TriggerCatalog],
})
export class WebhooksModule implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly repository: WebhooksRepository,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async prune(): Promise<void> {
    try {
      const removed = await this.repository.deleteExpired(PRUNE_BATCH);
      if (removed > 0) this.logger.info({ removed }, 'expired webhook deliveries removed');
    } catch (error) {
      this.logger.warn({ err: error }, 'pruning expired webhook deliveries failed; retrying in an hour');
    }
  }
}
