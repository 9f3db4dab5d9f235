import { Module } from '@nestjs/common';
import { GraphActivations } from './graph-activations.js';
import { GraphTriggersRepository } from './graph-triggers.repository.js';
import { GraphsRepository } from './graphs.repository.js';

/** Graphs for every role: the repository (versions, active trigger nodes) and activation events. */
@Module({
  providers: [GraphsRepository, GraphActivations, GraphTriggersRepository],
  exports: [GraphsRepository, GraphActivations, GraphTriggersRepository],
})
export class GraphsModule {}
