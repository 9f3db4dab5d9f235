import { Global, Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module.js';
import { AGENT_VALIDATOR, AGENTS_SYNC_LOCK } from '../graphs/graph-agents.types.js';
import { GraphsModule } from '../graphs/graphs.module.js';
import { AgentsLookupsRepository } from './agents-lookups.repository.js';
import { AgentsPlanService } from './agents-plan.service.js';
import { AgentsSyncOnStart } from './agents-sync.startup.js';
import { AgentsSyncHistoryRepository } from './agents-sync-history.repository.js';
import { AgentsSyncRepository } from './agents-sync.repository.js';
import { AgentsSyncService } from './agents-sync.service.js';
import { AgentsController } from './agents.controller.js';

/**
 * Agents as code for the api role: sync (at start-up and on POST /api/agents/sync), plan, validation with
 * the database's users, credentials and stored agents. Global: the graphs API (below agents in the layers)
 * injects AGENT_VALIDATOR and AGENTS_SYNC_LOCK without importing this module.
 */
@Global()
@Module({
  imports: [GraphsModule, BlocksModule],
  controllers: [AgentsController],
  providers: [
    AgentsLookupsRepository,
    AgentsSyncRepository,
    AgentsSyncHistoryRepository,
    AgentsPlanService,
    AgentsSyncService,
    AgentsSyncOnStart,
    { provide: AGENT_VALIDATOR, useExisting: AgentsPlanService },
    { provide: AGENTS_SYNC_LOCK, useExisting: AgentsSyncRepository },
  ],
  exports: [AgentsPlanService, AgentsSyncService, AgentsSyncRepository, AGENT_VALIDATOR, AGENTS_SYNC_LOCK],
})
export class AgentsModule {}
