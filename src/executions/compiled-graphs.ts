// Compiled graph versions, cached per process: a version never changes once written, so admission, the
// results API and the worker compile each one once (definitions are read from the graphs module). Its
// integration blocks are not fixed with it: a graph naming one compiles again once its integration changed
// (IntegrationBlocksService: an event, or a look at the newest version at most every gitops.integrations_recheck).
import { Inject, Injectable, Optional } from '@nestjs/common';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { GraphsRepository } from '../graphs/graphs.repository.js';
import { IntegrationBlocksService } from '../integrations/integration-blocks.service.js';
import { compileGraph, type CompiledGraph } from './engine/graph.compiler.js';

@Injectable()
export class CompiledGraphs {
  private readonly cache = new Map<string, CompiledGraph>();

  constructor(
    private readonly graphs: GraphsRepository,
    private readonly registry: BlocksRegistry,
    @Optional() @Inject(IntegrationBlocksService) private readonly integrations: IntegrationBlocksService | null = null,
  ) {
    integrations?.onChange(() => this.cache.clear());
  }

  /** The compiled version if this process has it already (no I/O). */
  peek(graphId: string, version: number): CompiledGraph | undefined {
    return this.cache.get(`${graphId}@${version}`);
  }

  /** The compiled version; null when it is not stored. */
  async get(graphId: string, version: number): Promise<CompiledGraph | null> {
    const key = `${graphId}@${version}`;
    const cached = this.cache.get(key);
    if (cached) {
      const outdated = this.integrations?.outdated(cached.definition);
      if (!outdated || !(await outdated)) return cached;
    }
    const definition = cached?.definition ?? (await this.graphs.definition(graphId, version));
    if (!definition) return null;
    const compiled = compileGraph(definition, this.integrations ? await this.integrations.lookupFor(definition) : this.registry);
    this.cache.set(key, compiled);
    return compiled;
  }
}
