import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module.js';
import { GraphsModule } from '../graphs/graphs.module.js';
import { AgentsLookupsRepository } from './agents-lookups.repository.js';
import { AgentsPlanService } from './agents-plan.service.js';
import { AgentsSyncOnStart } from './agents-sync.startup.js';
import { AgentsSyncRepository } from './agents-sync.repository.js';
import { AgentsSyncService } from './agents-sync.service.js';
import { AgentsController } from './agents.controller.js';

/**
 * Agents as code for the api role: sync (at start-up and on POST /api/agents/sync), plan, validation with
 * the database's users, credentials and stored agents (also used by the graphs API).
 */
@Module({
  imports: [GraphsModule, BlocksModule],
  controllers: [AgentsController],
  providers: [AgentsLookupsRepository, AgentsSyncRepository, AgentsPlanService, AgentsSyncService, AgentsSyncOnStart],
  exports: [AgentsPlanService, AgentsSyncService, AgentsSyncRepository],
})
export class AgentsModule {}
