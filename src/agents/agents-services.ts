// The plan and sync services wired without Nest, over a DataSource: the CLI (loaded when `trellis plan`
// or `trellis sync` runs, not when it registers), the bench and the tests.
import type { DataSource } from 'typeorm';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import type { AppConfig } from '../config/config.schema.js';
import { GraphActivations } from '../graphs/graph-activations.js';
import { GraphsRepository } from '../graphs/graphs.repository.js';
import { AgentsLookupsRepository } from './agents-lookups.repository.js';
import { AgentsPlanService } from './agents-plan.service.js';
import { AgentsSyncHistoryRepository } from './agents-sync-history.repository.js';
import { AgentsSyncRepository } from './agents-sync.repository.js';
import { AgentsSyncService } from './agents-sync.service.js';

export interface AgentsServices {
  plans: AgentsPlanService;
  syncs: AgentsSyncService;
  /** Told after each sync which graphs started or stopped serving (no listener in the CLI). */
  activations: GraphActivations;
}

/** The plan and sync services over a DataSource, without Nest (the CLI, the bench, tests). */
export function agentsServices(dataSource: DataSource, config: AppConfig): AgentsServices {
  const graphs = new GraphsRepository(dataSource);
  const syncRepository = new AgentsSyncRepository(dataSource);
  const plans = new AgentsPlanService(graphs, new AgentsLookupsRepository(dataSource), syncRepository, new BlocksRegistry(BLOCK_LIBRARY, config.costs), config);
  const activations = new GraphActivations();
  const syncs = new AgentsSyncService(plans, graphs, syncRepository, new AgentsSyncHistoryRepository(dataSource), activations, config);
  return { plans, syncs, activations };
}
