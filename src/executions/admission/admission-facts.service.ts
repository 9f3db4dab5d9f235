// What admission reads of lower modules, through their owners' repositories: graphs and versions (graphs),
// presets (graphs), roles (users) and balances (credits, through CREDIT_BALANCE: credits plugs into
// executions). Concurrent execute requests read their graphs in one statement (each sent after it was asked for).
import { Inject, Injectable, Optional } from '@nestjs/common';
import { GraphsRepository } from '../../graphs/graphs.repository.js';
import { PresetsRepository } from '../../graphs/presets.repository.js';
import { UsersRepository } from '../../users/users.repository.js';
import { CompiledGraphs } from '../compiled-graphs.js';
import { CREDIT_BALANCE, noBalance, type CreditBalanceLookup } from '../execution.hooks.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import { TickBatcher } from '../tick-batcher.js';
import type { AdmissionFacts, GraphFacts, PresetFacts } from './admission.types.js';

@Injectable()
export class AdmissionFactsService implements AdmissionFacts {
  private readonly graphReads = new TickBatcher<string, GraphFacts>(async (ids) => {
    const rows = await this.graphs.runFacts(ids);
    return new Map(rows.map((row) => [row.id, row]));
  });

  constructor(
    private readonly graphs: GraphsRepository,
    private readonly presets: PresetsRepository,
    private readonly users: UsersRepository,
    private readonly compiledGraphs: CompiledGraphs,
    @Optional() @Inject(CREDIT_BALANCE) private readonly credits: CreditBalanceLookup | null,
  ) {}

  graph(id: string): Promise<GraphFacts | null> {
    return this.graphReads.get(id);
  }

  runnable(graphId: string, version: number | null): Promise<{ version: number; source: string; created_by: string | null } | null> {
    return this.graphs.runnableVersion(graphId, version);
  }

  compiled(graphId: string, version: number): Promise<CompiledGraph | null> {
    return this.compiledGraphs.get(graphId, version);
  }

  preset(id: string, graphId: string): Promise<PresetFacts | null> {
    return this.presets.find(id, graphId);
  }

  balance(userId: string): Promise<number | null> {
    return (this.credits ?? noBalance).balance(userId);
  }

  async role(userId: string): Promise<string | null> {
    return (await this.users.findById(userId))?.role ?? null;
  }
}
