// Executions for every role: the repositories, the dispatcher (BullMQ when REDIS_URL is set, durable_jobs
// otherwise) and the service. The api role adds ExecutionsHttpModule, the worker role ExecutionsWorkerModule.
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { BlocksModule } from '../blocks/blocks.module.js';
import { LOGGER } from '../common/logger.js';
import { REDIS } from '../common/redis.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { IntegrationsModule } from '../integrations/integrations.module.js';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService } from './executions.service.js';
import { OperatorCredentialsNotice } from './operator-credentials.notice.js';
import { createDurableQueue } from '../queue/durable-queue.factory.js';
import { EXECUTION_DISPATCHER, EXECUTIONS_QUEUE, type ExecutionDispatcher } from './queue/execution-dispatcher.js';
import { QueueDispatcher } from './queue/queue.dispatcher.js';
import { ExecutionStoreRepository } from './worker/execution-store.repository.js';
import { AgentConversationsRepository } from './worker/agent-conversations.repository.js';
import { LocalHandoff } from './queue/local-handoff.js';

export function createDispatcher(config: AppConfig, redis: Redis | null, dataSource: DataSource, logger: Logger): ExecutionDispatcher {
  return new QueueDispatcher(createDurableQueue(EXECUTIONS_QUEUE, config, redis, dataSource, logger));
}

@Module({
  imports: [BlocksModule, IntegrationsModule],
  providers: [
    ExecutionsRepository,
    ExecutionStoreRepository,
    AgentConversationsRepository,
    ExecutionsService,
    LocalHandoff,
    OperatorCredentialsNotice,
    { provide: EXECUTION_DISPATCHER, inject: [APP_CONFIG, REDIS, DataSource, LOGGER], useFactory: createDispatcher },
  ],
  exports: [
    ExecutionsRepository,
    ExecutionStoreRepository,
    AgentConversationsRepository,
    ExecutionsService,
    LocalHandoff,
    EXECUTION_DISPATCHER,
    BlocksModule,
    IntegrationsModule,
  ],
})
export class ExecutionsModule implements OnApplicationShutdown {
  constructor(@Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }
}
