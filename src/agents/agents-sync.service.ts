// Sync: make the database match the agents folder. One transaction under an advisory lock (syncs never
// overlap, and the second of two concurrent syncs sees what the first wrote), one statement per table.
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { GraphActivations, type GraphActivation } from '../graphs/graph-activations.js';
import { triggerNodes } from '../graphs/graph.document.js';
import { GraphsRepository, type NewVersionRow, type TriggerRow } from '../graphs/graphs.repository.js';
import type { AgentSyncSummary } from './agent-sync.entity.js';
import { AgentsPlanService, syncScope } from './agents-plan.service.js';
import type { AgentsPlan, Classified, PlanAction } from './agents-plan.js';
import { behindReason, gitCommit } from './agents-sync.git.js';
import { AgentsSyncHistoryRepository, type SyncFileRow, type SyncRunRow } from './agents-sync-history.repository.js';
import { AgentsSyncRepository } from './agents-sync.repository.js';
import { IntegrationsRepository } from './integrations.repository.js';

/** What started a sync; recorded with it. */
export type SyncTrigger = 'start' | 'api' | 'cli' | 'push';

export interface SyncOptions {
  /** The folder (default: AGENTS_DIR). */
  dir?: string;
  trigger?: SyncTrigger;
}

export interface SyncResult extends AgentsPlan {
  /** `applied`: the database now matches the folder; `skipped`: nothing was written (see `reason`). */
  status: 'applied' | 'skipped';
  reason: string | null;
}

/** What GET /api/agents/sync answers. */
export interface SyncHistory {
  folder: string;
  last: SyncRunRow | null;
  runs: SyncRunRow[];
  files: SyncFileRow[];
}

const SUMMARY_KEYS: Record<PlanAction, keyof AgentSyncSummary> = {
  create: 'created',
  update: 'updated',
  pinned: 'pinned',
  unchanged: 'unchanged',
  remove: 'removed',
  invalid: 'invalid',
};

@Injectable()
export class AgentsSyncService {
  constructor(
    private readonly planner: AgentsPlanService,
    private readonly graphs: GraphsRepository,
    private readonly syncs: AgentsSyncRepository,
    private readonly history: AgentsSyncHistoryRepository,
    private readonly activations: GraphActivations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly integrations: IntegrationsRepository,
  ) {}

  async sync(options: SyncOptions = {}): Promise<SyncResult> {
    // Reading and parsing the files needs no lock; comparing and writing do.
    const folder = this.planner.readFolder(options.dir);
    const commit = await gitCommit(folder.dir);
    const scope = syncScope(this.config);
    const trigger = options.trigger ?? 'cli';
    const syncedBy = `${hostname()} pid ${process.pid} (${trigger})`;
    const { result, changes, served } = await this.syncs.transaction(async (manager) => {
      await this.syncs.lockExclusive(manager);
      const state = await this.syncs.readState(scope, manager);
      const { plan, classified, users, integrations, catalog } = await this.planner.planFolder(folder, commit, manager);
      plan.blocked = await behindReason(folder.dir, commit, state?.commit ?? null);
      // Every sync, applied or not, is recorded (GET /api/agents/sync): the history says why nothing changed.
      const record = (status: 'applied' | 'skipped', reason: string | null) =>
        this.history.record(manager, { scope, commit, trigger, synced_by: syncedBy, status, reason, summary: plan.summary, entries: plan.agents });
      if (plan.blocked) {
        await record('skipped', plan.blocked);
        return { result: { ...plan, status: 'skipped' as const, reason: plan.blocked }, changes: [], served: null };
      }
      await this.integrations.insert(manager, integrations.writes, commit);
      const changes = await this.apply(manager, classified, users, commit);
      await this.syncs.writeState(manager, { scope, commit, synced_by: syncedBy, summary: namesByAction(plan) });
      await record('applied', null);
      return { result: { ...plan, status: 'applied' as const, reason: null }, changes, served: { integrations, catalog } };
    });
    if (served) await this.planner.serveIntegrations(served.integrations, served.catalog);
    await this.activations.publish(changes);
    return result;
  }

  /** The newest `limit` syncs of the configured folder and the last result of each of its files. */
  async syncHistory(limit: number): Promise<SyncHistory> {
    const folder = syncScope(this.config);
    const { runs, files } = await this.history.history(folder, limit);
    return { folder, last: runs[0] ?? null, runs, files };
  }

  private async apply(manager: EntityManager, classified: Classified, users: ReadonlyMap<string, string>, commit: string | null): Promise<GraphActivation[]> {
    const { writes } = classified;
    const versions: NewVersionRow[] = [];
    const triggers: TriggerRow[] = [];
    for (const write of writes) {
      if (!write.version) continue;
      const { number, agent, hash } = write.version;
      versions.push({ graph_id: write.name, version: number, definition: agent, hash, file: write.file, commit, created_by: null });
      for (const trigger of triggerNodes(agent, this.planner.isTrigger)) {
        triggers.push({ graph_id: write.name, version: number, node_id: trigger.node, block: trigger.block, config: trigger.inputs, credentials: trigger.credentials });
      }
    }
    await this.graphs.adoptApiGraphs(
      manager,
      writes.filter((write) => write.adopts).map((write) => ({ id: write.name, file: write.file })),
    );
    await this.graphs.upsertFileGraphs(
      manager,
      writes.map((write) => ({
        id: write.name,
        description: write.description,
        owner_id: write.owner !== undefined ? (users.get(write.owner) ?? null) : null,
        active_version: write.activeVersion,
        latest_version: write.latestVersion,
        file: write.file,
      })),
    );
    await this.graphs.insertVersions(manager, versions);
    await this.graphs.insertTriggers(manager, triggers);
    const removed = await this.graphs.deactivateFileGraphs(manager, classified.removals);

    return [
      ...writes.filter((w) => w.activates).map((w) => ({ graph_id: w.name, active: true, active_version: w.activeVersion })),
      ...removed.map((id) => ({ graph_id: id, active: false, active_version: null })),
    ];
  }
}

function namesByAction(plan: AgentsPlan): AgentSyncSummary {
  const summary: AgentSyncSummary = { created: [], updated: [], unchanged: [], removed: [], invalid: [], pinned: [] };
  for (const entry of plan.agents) summary[SUMMARY_KEYS[entry.action]].push(entry.name);
  return summary;
}
