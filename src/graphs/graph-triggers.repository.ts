// Trigger rows that the server turned off (release-2.md section 7): which are disabled and why (shown by GET
// /api/graphs), the upgrade step that disables trigger.github in graphs that may not hold one, and the role
// of a graph's creator (who decides whether it may).
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { UserRole } from '../users/user.entity.js';
import { GITHUB_TRIGGER } from './graph-access.js';

export interface DisabledTrigger {
  graph_id: string;
  version: number;
  node_id: string;
  disabled_reason: string;
}

@Injectable()
export class GraphTriggersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params) as Promise<T[]>;
  }

  /** The disabled trigger rows of these graph versions (one query, whatever their number). */
  disabled(versions: ReadonlyArray<{ graph_id: string; version: number }>): Promise<DisabledTrigger[]> {
    if (versions.length === 0) return Promise.resolve([]);
    return this.run(
      `SELECT t.graph_id, t.version, t.node_id, t.disabled_reason FROM graph_triggers t
       JOIN jsonb_to_recordset($1::jsonb) AS k(graph_id text, version int) ON k.graph_id = t.graph_id AND k.version = t.version
       WHERE t.disabled_reason IS NOT NULL`,
      [JSON.stringify(versions.map(({ graph_id, version }) => ({ graph_id, version })))],
    );
  }

  /**
   * Disables every trigger.github row (all versions) of API graphs whose creator is not an admin now
   * (graph-access.ts mayUseGithubTrigger); answers the rows it changed, so concurrent replicas report each once.
   */
  disableGithubOfNonAdmins(reason: string): Promise<Array<{ graph_id: string; version: number; node_id: string }>> {
    return this.run(
      `WITH changed AS (
         UPDATE graph_triggers t SET disabled_reason = $2
         FROM graphs g LEFT JOIN users u ON u.id = g.created_by
         WHERE t.graph_id = g.id AND t.block = $1 AND t.disabled_reason IS NULL AND g.source = 'api' AND u.role IS DISTINCT FROM 'admin'
         RETURNING t.graph_id, t.version, t.node_id
       ) SELECT graph_id, version, node_id FROM changed ORDER BY graph_id, node_id, version`,
      [GITHUB_TRIGGER, reason],
    );
  }

  /** The role its creator has now; null for file graphs and API graphs whose creator is gone. */
  async creatorRole(graphId: string): Promise<UserRole | null> {
    const rows = await this.run<{ role: UserRole | null }>(`SELECT u.role FROM graphs g LEFT JOIN users u ON u.id = g.created_by WHERE g.id = $1`, [graphId]);
    return rows[0]?.role ?? null;
  }
}
