// Executions for every role: the repositories, the dispatcher (BullMQ when REDIS_URL is set, durable_jobs
// otherwise), admission (the one way executions are created) and the service. The api role adds
// ExecutionsHttpModule, the worker role ExecutionsWorkerModule.
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { BlocksModule } from '../blocks/blocks.module.js';
import { LOGGER } from '../common/logger.js';
import { REDIS } from '../common/redis.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { GraphsModule } from '../graphs/graphs.module.js';
import { IntegrationsModule } from '../integrations/integrations.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdmissionFactsService } from './admission/admission-facts.service.js';
import { AdmissionRepository } from './admission/admission.repository.js';
import type { AdmissionQueue } from './admission/admission.types.js';
import { ADMISSION_FACTS, ADMISSION_QUEUE, ADMISSION_STORE, ExecutionAdmission } from './admission/execution-admission.service.js';
import { CompiledGraphs } from './compiled-graphs.js';
import { CreditsBalanceLookup } from './credits.charge-hook.js';
import { CREDIT_BALANCE } from './execution.hooks.js';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService } from './executions.service.js';
import { RerunEffects } from './rerun-effects.js';
import { OperatorCredentialsNotice } from './operator-credentials.notice.js';
import { createDurableQueue } from '../queue/durable-queue.factory.js';
import { EXECUTION_DISPATCHER, EXECUTIONS_QUEUE, type ExecutionDispatcher } from './queue/execution-dispatcher.js';
import { QueueDispatcher } from './queue/queue.dispatcher.js';
import { FinishFollowUps } from './worker/execution-finish.js';
import { ExecutionStoreRepository } from './worker/execution-store.repository.js';
import { AgentConversationsRepository } from './worker/agent-conversations.repository.js';
import { LocalHandoff } from './queue/local-handoff.js';

export function createDispatcher(config: AppConfig, redis: Redis | null, dataSource: DataSource, logger: Logger): ExecutionDispatcher {
  return new QueueDispatcher(createDurableQueue(EXECUTIONS_QUEUE, config, redis, dataSource, logger));
}

/** What an ended execution owes others (the parent, the next QUEUED one), for a stop through the API. */
function finishFollowUps(dispatcher: ExecutionDispatcher, executions: ExecutionsRepository): FinishFollowUps {
  return new FinishFollowUps({ dispatch: (id) => dispatcher.dispatch(id), nextQueued: (graphId) => executions.nextQueued(graphId) });
}

function admissionQueue(dispatcher: ExecutionDispatcher, local: LocalHandoff): AdmissionQueue {
  return { offerLocal: (id) => local.offer(id), claimLocal: (graph) => local.claim(graph), dispatch: (ids) => dispatcher.dispatchMany(ids) };
}

@Module({
  imports: [BlocksModule, IntegrationsModule, GraphsModule, UsersModule],
  providers: [
    ExecutionsRepository,
    CompiledGraphs,
    AdmissionRepository,
    AdmissionFactsService,
    ExecutionAdmission,
    { provide: ADMISSION_FACTS, useExisting: AdmissionFactsService },
    { provide: ADMISSION_STORE, useExisting: AdmissionRepository },
    { provide: CREDIT_BALANCE, useClass: CreditsBalanceLookup },
    { provide: ADMISSION_QUEUE, inject: [EXECUTION_DISPATCHER, LocalHandoff], useFactory: admissionQueue },
    ExecutionStoreRepository,
    AgentConversationsRepository,
    ExecutionsService,
    RerunEffects,
    { provide: FinishFollowUps, inject: [EXECUTION_DISPATCHER, ExecutionsRepository], useFactory: finishFollowUps },
    LocalHandoff,
    OperatorCredentialsNotice,
    { provide: EXECUTION_DISPATCHER, inject: [APP_CONFIG, REDIS, DataSource, LOGGER], useFactory: createDispatcher },
  ],
  exports: [
    ExecutionsRepository,
    ExecutionStoreRepository,
    AgentConversationsRepository,
    ExecutionsService,
    ExecutionAdmission,
    CompiledGraphs,
    LocalHandoff,
    EXECUTION_DISPATCHER,
    BlocksModule,
    IntegrationsModule,
    GraphsModule,
  ],
})
export class ExecutionsModule implements OnApplicationShutdown {
  constructor(@Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }
}
