// Compiled graph versions, cached per process: a version never changes once written, so admission, the
// results API and the worker compile each one once (definitions are read from the graphs module).
import { Injectable } from '@nestjs/common';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { GraphsRepository } from '../graphs/graphs.repository.js';
import { compileGraph, type CompiledGraph } from './engine/graph.compiler.js';

@Injectable()
export class CompiledGraphs {
  private readonly cache = new Map<string, CompiledGraph>();

  constructor(
    private readonly graphs: GraphsRepository,
    private readonly registry: BlocksRegistry,
  ) {}

  /** The compiled version if this process has it already (no I/O). */
  peek(graphId: string, version: number): CompiledGraph | undefined {
    return this.cache.get(`${graphId}@${version}`);
  }

  /** The compiled version; null when it is not stored. */
  async get(graphId: string, version: number): Promise<CompiledGraph | null> {
    const key = `${graphId}@${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const definition = await this.graphs.definition(graphId, version);
    if (!definition) return null;
    const compiled = compileGraph(definition, this.registry);
    this.cache.set(key, compiled);
    return compiled;
  }
}
