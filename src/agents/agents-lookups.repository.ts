// What the validator looks up in the database, read in a few queries per validation (never one per
// file): users by handle, their credentials' names, and the stored agents that agent.run may call.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AgentDefinition, GraphSource } from '../agent-format/graph.types.js';
import type { StoredCredential } from './agents-plan.context.js';

@Injectable()
export class AgentsLookupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params) as Promise<T[]>;
  }

  /** Handle -> id of the users among these handles. */
  async usersByHandle(handles: Iterable<string>, manager?: EntityManager): Promise<Map<string, string>> {
    const list = [...new Set(handles)];
    if (list.length === 0) return new Map();
    const rows = await this.run<{ id: string; handle: string }>(`SELECT id, handle FROM users WHERE handle = ANY($1::text[])`, [list], manager);
    return new Map(rows.map((row) => [row.handle, row.id]));
  }

  /** The credential names (with provider and type, never secrets) of these users, by handle. */
  async credentialsByHandle(users: ReadonlyMap<string, string>, manager?: EntityManager): Promise<Map<string, Map<string, StoredCredential>>> {
    const byId = new Map([...users].map(([handle, id]) => [id, handle]));
    const result = new Map<string, Map<string, StoredCredential>>();
    if (byId.size === 0) return result;
    const rows = await this.run<{ user_id: string; name: string; provider: string; type: string }>(
      `SELECT user_id, name, provider, type FROM credentials WHERE user_id = ANY($1::text[])`,
      [[...byId.keys()]],
      manager,
    );
    for (const row of rows) {
      const handle = byId.get(row.user_id)!;
      if (!result.has(handle)) result.set(handle, new Map());
      result.get(handle)!.set(row.name, { provider: row.provider, type: row.type });
    }
    return result;
  }

  /** Names, sources and creators of the active graphs (who may call which is decided by the caller). */
  activeGraphs(manager?: EntityManager): Promise<Array<{ id: string; source: GraphSource; created_by: string | null }>> {
    return this.run(`SELECT id, source, created_by FROM graphs WHERE active ORDER BY id`, [], manager);
  }

  /** The active definitions of these graphs (those that are active). */
  activeDefinitions(ids: readonly string[], manager?: EntityManager): Promise<Array<{ id: string; definition: AgentDefinition }>> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.run(
      `SELECT g.id, v.definition FROM graphs g JOIN graph_versions v ON v.graph_id = g.id AND v.version = g.active_version
       WHERE g.active AND g.id = ANY($1::text[])`,
      [ids],
      manager,
    );
  }
}
