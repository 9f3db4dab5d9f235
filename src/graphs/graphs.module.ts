import { Module } from '@nestjs/common';
import { GraphActivations } from './graph-activations.js';
import { GraphsRepository } from './graphs.repository.js';

/** Graphs for every role: the repository (versions, active trigger nodes) and activation events. */
@Module({
  providers: [GraphsRepository, GraphActivations],
  exports: [GraphsRepository, GraphActivations],
})
export class GraphsModule {}
