import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { GraphsController } from './graphs.controller.js';
import { GraphsModule } from './graphs.module.js';
import { GraphsService } from './graphs.service.js';
import { PresetsService } from './presets.service.js';

/** The api role's part: /api/graphs (validation through the agents module, as for files). */
@Module({
  imports: [GraphsModule, AgentsModule],
  controllers: [GraphsController],
  providers: [GraphsService, PresetsService],
  exports: [GraphsService],
})
export class GraphsHttpModule {}
