import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module.js';
import { GraphsController } from './graphs.controller.js';
import { GraphsModule } from './graphs.module.js';
import { GraphsService } from './graphs.service.js';
import { PresetsService } from './presets.service.js';

/** The api role's part: /api/graphs (validation through the global AgentsModule's AGENT_VALIDATOR, as for files; analysis with the block registry). */
@Module({
  imports: [GraphsModule, BlocksModule],
  controllers: [GraphsController],
  providers: [GraphsService, PresetsService],
  exports: [GraphsService],
})
export class GraphsHttpModule {}
