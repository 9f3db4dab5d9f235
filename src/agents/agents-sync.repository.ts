// The sync's own SQL: the advisory lock that keeps syncs apart, and the last synced commit per folder.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AgentsSyncLock } from '../graphs/graph-agents.types.js';
import type { AgentSyncSummary } from './agent-sync.entity.js';

/** pg_advisory lock key of agent syncs (exclusive) and of API graph creation (shared). */
export const AGENTS_SYNC_LOCK = 7_412_300_100;

export interface SyncStateRow {
  scope: string;
  commit: string | null;
  synced_at: Date;
  synced_by: string;
  summary: Partial<AgentSyncSummary>;
}

@Injectable()
export class AgentsSyncRepository implements AgentsSyncLock {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Waits for every other sync (and graph creation) of this database to finish; held until commit. */
  /** Each file agent's declared vars (of its active version; undefined when it declares none). */
  async fileAgentVars(): Promise<Map<string, Record<string, unknown> | undefined>> {
    const rows = (await this.dataSource.query(
      `SELECT g.id, v.definition->'vars' AS vars FROM graphs g JOIN graph_versions v ON v.graph_id = g.id AND v.version = g.active_version
       WHERE g.source = 'file'`,
    )) as Array<{ id: string; vars: Record<string, unknown> | null }>;
    return new Map(rows.map((row) => [row.id, row.vars ?? undefined]));
  }

  async lockExclusive(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AGENTS_SYNC_LOCK]);
  }

  /** Taken by API graph creation: many at once, but never while a sync runs (names would race). */
  async lockShared(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [AGENTS_SYNC_LOCK]);
  }

  async readState(scope: string, manager: EntityManager = this.dataSource.manager): Promise<SyncStateRow | null> {
    const rows = (await manager.query(`SELECT scope, "commit", synced_at, synced_by, summary FROM agent_sync_state WHERE scope = $1`, [scope])) as SyncStateRow[];
    return rows[0] ?? null;
  }

  async writeState(manager: EntityManager, state: Omit<SyncStateRow, 'synced_at'>): Promise<void> {
    await manager.query(
      `INSERT INTO agent_sync_state (scope, "commit", synced_at, synced_by, summary) VALUES ($1, $2, now(), $3, $4::jsonb)
       ON CONFLICT (scope) DO UPDATE SET "commit" = EXCLUDED."commit", synced_at = EXCLUDED.synced_at, synced_by = EXCLUDED.synced_by,
         summary = EXCLUDED.summary, updated_at = now()`,
      [state.scope, state.commit, state.synced_by, JSON.stringify(state.summary)],
    );
  }
}
