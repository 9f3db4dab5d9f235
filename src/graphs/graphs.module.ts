import { Module } from '@nestjs/common';
import { GraphActivations } from './graph-activations.js';
import { GraphTriggersRepository } from './graph-triggers.repository.js';
import { GraphsRepository } from './graphs.repository.js';
import { PresetsRepository } from './presets.repository.js';

/** Graphs for every role: the repositories (versions, active trigger nodes, presets) and activation events. */
@Module({
  providers: [GraphsRepository, GraphActivations, GraphTriggersRepository, PresetsRepository],
  exports: [GraphsRepository, GraphActivations, GraphTriggersRepository, PresetsRepository],
})
export class GraphsModule {}
