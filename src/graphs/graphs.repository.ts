// All SQL of the graphs aggregate: graphs, their versions and the trigger nodes of each version. Sync
// writes many rows at once (one statement per table, rows passed as one JSON parameter); the API one.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AgentDefinition, GraphSource } from '../agent-format/graph.types.js';

export type * from './graph-rows.types.js';
import type {
  ActiveTrigger,
  GraphListFilter,
  GraphRow,
  GraphWithVersion,
  NewGraphRow,
  NewVersionRow,
  StoredGraphState,
  TriggerRow,
  VersionRow,
  VersionSummary,
} from './graph-rows.types.js';

const GRAPH_COLUMNS = `g.id, g.description, g.source, g.owner_id, u.handle AS owner_handle, g.created_by, g.active, g.active_version,
  g.latest_version, g.pinned_version, g.file, g.created_at, g.updated_at, g.deactivated_at`;
const VERSION_COLUMNS = `v.graph_id, v.version, v.definition, v.hash, v.file, v."commit", v.created_by, v.created_at`;

@Injectable()
export class GraphsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params) as Promise<T[]>;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Graphs with their active version, in id order. */
  async list(filter: GraphListFilter): Promise<GraphWithVersion[]> {
    const rows = await this.run<Record<string, unknown>>(
      `SELECT ${GRAPH_COLUMNS}, v.version AS v_version, v.definition AS v_definition, v.hash AS v_hash, v.file AS v_file,
         v."commit" AS v_commit, v.created_by AS v_created_by, v.created_at AS v_created_at
       FROM graphs g
       JOIN graph_versions v ON v.graph_id = g.id AND v.version = g.active_version
       LEFT JOIN users u ON u.id = g.owner_id
       WHERE ($1::text IS NULL OR g.source = 'file' OR g.created_by = $1)
         AND ($2::text IS NULL OR g.source = $2)
         AND ($3::boolean IS NULL OR g.active = $3)
         AND ($4::text IS NULL OR g.id > $4)
       ORDER BY g.id
       LIMIT $5`,
      [filter.visibleTo, filter.source ?? null, filter.active ?? null, filter.after ?? null, filter.limit],
    );
    return rows.map(splitGraphAndVersion);
  }

  async find(id: string, manager?: EntityManager, forUpdate = false): Promise<GraphRow | null> {
    const rows = await this.run<GraphRow>(
      `SELECT ${GRAPH_COLUMNS} FROM graphs g LEFT JOIN users u ON u.id = g.owner_id WHERE g.id = $1${forUpdate ? ' FOR UPDATE OF g' : ''}`,
      [id],
      manager,
    );
    return rows[0] ?? null;
  }

  async findVersion(id: string, version: number, manager?: EntityManager): Promise<VersionRow | null> {
    const rows = await this.run<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM graph_versions v WHERE v.graph_id = $1 AND v.version = $2`, [id, version], manager);
    return rows[0] ?? null;
  }

  /** What runs and schedules of these graphs need of them (executions/admission, triggers): one lean statement for many graphs. */
  runFacts(
    ids: readonly string[],
    manager?: EntityManager,
  ): Promise<Array<Pick<GraphRow, 'id' | 'source' | 'created_by' | 'owner_id' | 'active' | 'active_version'>>> {
    return this.run(`SELECT id, source, created_by, owner_id, active, active_version FROM graphs WHERE id = ANY($1::text[])`, [ids], manager);
  }

  /** The definition of one version (what executions compile and run). */
  async definition(id: string, version: number): Promise<AgentDefinition | null> {
    const rows = await this.run<{ definition: AgentDefinition }>(`SELECT definition FROM graph_versions WHERE graph_id = $1 AND version = $2`, [id, version]);
    return rows[0]?.definition ?? null;
  }

  /**
   * The version a run of graph `id` would use (`version` if it exists, else the active one of an active
   * graph), with who may see the graph (graph-access.ts); null when there is none.
   */
  async runnableVersion(id: string, version: number | null): Promise<{ version: number; source: GraphSource; created_by: string | null } | null> {
    const rows = await this.run<{ version: number; source: GraphSource; created_by: string | null }>(
      `SELECT v.version, g.source, g.created_by FROM graphs g JOIN graph_versions v ON v.graph_id = g.id AND v.version = COALESCE($2::int, g.active_version)
       WHERE g.id = $1 AND ($2::int IS NOT NULL OR g.active)`,
      [id, version],
    );
    return rows[0] ?? null;
  }

  /** Every version of a graph, newest first, without definitions. */
  listVersions(id: string): Promise<VersionSummary[]> {
    return this.run<VersionSummary>(
      `SELECT v.graph_id, v.version, v.hash, v.file, v."commit", v.created_by, u.handle AS created_by_handle, v.created_at
       FROM graph_versions v LEFT JOIN users u ON u.id = v.created_by
       WHERE v.graph_id = $1 ORDER BY v.version DESC`,
      [id],
    );
  }

  /** Inserts a graph unless its id is taken; answers whether it did. */
  async insertGraph(manager: EntityManager, row: NewGraphRow): Promise<boolean> {
    const rows = await this.run(
      `INSERT INTO graphs (id, description, source, owner_id, created_by, active, active_version, latest_version, file)
       VALUES ($1, $2, $3, $4, $5, true, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [row.id, row.description, row.source, row.owner_id, row.created_by, row.active_version, row.latest_version, row.file],
      manager,
    );
    return rows.length === 1;
  }

  /** A new newest version of an API graph made active (and the graph active again if it was deleted). */
  async activateNewVersion(
    manager: EntityManager,
    id: string,
    fields: { version: number; description: string | null; owner_id: string | null },
  ): Promise<void> {
    await this.run(
      `UPDATE graphs SET latest_version = $2, active_version = $2, description = $3, owner_id = $4, active = true, deactivated_at = NULL, updated_at = now()
       WHERE id = $1`,
      [id, fields.version, fields.description, fields.owner_id],
      manager,
    );
  }

  /** Sets the active and pinned versions (and, when given, whether the graph is active). */
  async setVersions(id: string, fields: { active_version: number; pinned_version: number | null; active?: boolean }, manager?: EntityManager): Promise<void> {
    await this.run(
      `UPDATE graphs SET active_version = $2, pinned_version = $3,
         active = COALESCE($4, active), deactivated_at = CASE WHEN COALESCE($4, active) THEN NULL ELSE COALESCE(deactivated_at, now()) END,
         updated_at = now()
       WHERE id = $1`,
      [id, fields.active_version, fields.pinned_version, fields.active ?? null],
      manager,
    );
  }

  /** Deactivates one graph (DELETE of an API graph): triggers stop, history stays. */
  async deactivate(id: string, manager?: EntityManager): Promise<void> {
    await this.run(`UPDATE graphs SET active = false, deactivated_at = now(), updated_at = now() WHERE id = $1 AND active`, [id], manager);
  }

  // ---- many rows at once (sync) ----

  /** Every graph with the hash of its newest version: what sync compares the folder with. */
  storedGraphs(manager?: EntityManager): Promise<StoredGraphState[]> {
    return this.run<StoredGraphState>(
      `SELECT g.id, g.source, g.active, g.active_version, g.latest_version, g.pinned_version, g.file, v.hash AS latest_hash
       FROM graphs g JOIN graph_versions v ON v.graph_id = g.id AND v.version = g.latest_version`,
      [],
      manager,
    );
  }

  /** Definitions of the given versions, by graph id. */
  async definitions(pairs: ReadonlyArray<{ name: string; version: number }>, manager?: EntityManager): Promise<Map<string, AgentDefinition>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.run<{ graph_id: string; definition: AgentDefinition }>(
      `SELECT v.graph_id, v.definition FROM graph_versions v
       JOIN unnest($1::text[], $2::int[]) AS p(graph_id, version) ON p.graph_id = v.graph_id AND p.version = v.version`,
      [pairs.map((p) => p.name), pairs.map((p) => p.version)],
      manager,
    );
    return new Map(rows.map((row) => [row.graph_id, row.definition]));
  }

  /** Inserts or updates file graphs, one statement; never touches a graph of another source. */
  /** API graphs taken over by agent files (their proposal merged): they become file graphs, versions kept. */
  async adoptApiGraphs(manager: EntityManager, rows: ReadonlyArray<{ id: string; file: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.run(
      `UPDATE graphs g SET source = 'file', file = r.file, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, file text) WHERE g.id = r.id AND g.source = 'api'`,
      [JSON.stringify(rows)],
      manager,
    );
  }

  async upsertFileGraphs(manager: EntityManager, rows: ReadonlyArray<Omit<NewGraphRow, 'source' | 'created_by'>>): Promise<void> {
    if (rows.length === 0) return;
    await this.run(
      `INSERT INTO graphs (id, description, source, owner_id, active, active_version, latest_version, file)
       SELECT r.id, r.description, 'file', r.owner_id, true, r.active_version, r.latest_version, r.file
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, description text, owner_id text, active_version int, latest_version int, file text)
       ON CONFLICT (id) DO UPDATE SET description = EXCLUDED.description, owner_id = EXCLUDED.owner_id, active = true,
         active_version = EXCLUDED.active_version, latest_version = EXCLUDED.latest_version, file = EXCLUDED.file,
         deactivated_at = NULL, updated_at = now()
       WHERE graphs.source = 'file'`,
      [JSON.stringify(rows)],
      manager,
    );
  }

  async insertVersions(manager: EntityManager, rows: readonly NewVersionRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.run(
      `INSERT INTO graph_versions (graph_id, version, definition, hash, file, "commit", created_by)
       SELECT r.graph_id, r.version, r.definition, r.hash, r.file, r."commit", r.created_by
       FROM jsonb_to_recordset($1::jsonb) AS r(graph_id text, version int, definition jsonb, hash text, file text, "commit" text, created_by text)`,
      [JSON.stringify(rows)],
      manager,
    );
  }

  async insertTriggers(manager: EntityManager, rows: readonly TriggerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.run(
      `INSERT INTO graph_triggers (graph_id, version, node_id, block, config, credentials)
       SELECT r.graph_id, r.version, r.node_id, r.block, r.config, r.credentials
       FROM jsonb_to_recordset($1::jsonb) AS r(graph_id text, version int, node_id text, block text, config jsonb, credentials jsonb)`,
      [JSON.stringify(rows)],
      manager,
    );
  }

  /** Deactivates file graphs whose file is gone; answers the ids it changed. */
  async deactivateFileGraphs(manager: EntityManager, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    // Through a CTE: TypeORM answers [rows, count] for a bare UPDATE ... RETURNING, plain rows for a SELECT.
    const rows = await this.run<{ id: string }>(
      `WITH changed AS (
         UPDATE graphs SET active = false, deactivated_at = now(), updated_at = now()
         WHERE id = ANY($1::text[]) AND source = 'file' AND active RETURNING id
       ) SELECT id FROM changed ORDER BY id`,
      [ids],
      manager,
    );
    return rows.map((row) => row.id);
  }

  /**
   * The trigger nodes that can fire now: those of the active version of every active graph (optionally of
   * one block). The triggers module serves webhooks, GitHub events and cron schedules from this.
   */
  activeTriggers(block?: string, manager?: EntityManager): Promise<ActiveTrigger[]> {
    return this.run<ActiveTrigger>(
      `SELECT t.graph_id, t.version, t.node_id, t.block, t.config, t.credentials, g.owner_id, g.source
       FROM graph_triggers t JOIN graphs g ON g.id = t.graph_id AND g.active_version = t.version
       WHERE g.active AND ($1::text IS NULL OR t.block = $1) AND t.disabled_reason IS NULL
         -- graph-access.ts mayUseGithubTrigger, with the creator's role now: a demoted admin's graph stops hearing GitHub.
         AND (t.block <> 'trigger.github' OR g.source = 'file' OR EXISTS (SELECT 1 FROM users c WHERE c.id = g.created_by AND c.role = 'admin'))
       ORDER BY t.graph_id, t.node_id`,
      [block ?? null],
      manager,
    );
  }
}

function splitGraphAndVersion(row: Record<string, unknown>): GraphWithVersion {
  const graph: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!key.startsWith('v_')) graph[key] = value;
  const version: VersionRow = {
    graph_id: row.id as string,
    version: row.v_version as number,
    definition: row.v_definition as AgentDefinition,
    hash: row.v_hash as string,
    file: row.v_file as string | null,
    commit: row.v_commit as string | null,
    created_by: row.v_created_by as string | null,
    created_at: row.v_created_at as Date,
  };
  return { graph: graph as unknown as GraphRow, version };
}
