// The integrations' recorded versions, and which agents use a block: what a sync needs to tell a harmless
// integration change from one that breaks an agent.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { BlockDefinition } from '../blocks/block.types.js';
import { blocksNamed, blocksOfDefinition } from '../blocks/integrations/recorded-blocks.js';
import type { IntegrationDefinition } from '../blocks/openapi/integration.types.js';
import type { IntegrationWrite, StoredIntegration } from './agents-integrations.js';

export { blocksNamed };

@Injectable()
export class IntegrationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest version of each integration ever recorded. */
  async latest(manager: EntityManager = this.dataSource.manager): Promise<Map<string, StoredIntegration>> {
    const rows = (await manager.query(
      `SELECT DISTINCT ON (name) name, version, hash, file, removed, operations FROM integration_versions ORDER BY name, version DESC`,
    )) as StoredIntegration[];
    return new Map(rows.map((row) => [row.name, row]));
  }

  async insert(manager: EntityManager, writes: readonly IntegrationWrite[], commit: string | null): Promise<void> {
    if (writes.length === 0) return;
    await manager.query(
      `INSERT INTO integration_versions (name, version, hash, file, removed, operations, definition, "commit")
       SELECT w.name, w.version, w.hash, w.file, w.removed, w.operations, w.definition, $2 FROM jsonb_to_recordset($1::jsonb)
         AS w(name text, version int, hash text, file text, removed boolean, operations jsonb, definition jsonb)`,
      [JSON.stringify(writes), commit],
    );
  }

  /** The blocks of one recorded version, rebuilt from its definition (null when it has none). */
  async recordedBlocks(name: string, version: number, manager: EntityManager = this.dataSource.manager): Promise<BlockDefinition[] | null> {
    const rows = (await manager.query(`SELECT definition FROM integration_versions WHERE name = $1 AND version = $2`, [name, version])) as Array<{
      definition: IntegrationDefinition | null;
    }>;
    const definition = rows[0]?.definition;
    return definition ? blocksOfDefinition(definition) : null;
  }

  /**
   * Stored agent versions that stay in use whatever the folder says, and name one of `blocks`: pinned
   * versions, and the active versions of API graphs. Answers block -> "agent <name> (version n)".
   */
  async storedUsers(blocks: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, string[]>> {
    const users = new Map<string, string[]>();
    if (blocks.length === 0) return users;
    const rows = (await manager.query(
      `SELECT g.id, g.source, v.version, v.definition FROM graphs g
         JOIN graph_versions v ON v.graph_id = g.id
          AND (v.version = g.pinned_version OR (g.source = 'api' AND g.active AND v.version = g.active_version))
       WHERE v.definition::text LIKE ANY($1)`,
      [blocks.map((block) => `%"${block.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`)],
    )) as Array<{ id: string; source: string; version: number; definition: unknown }>;
    const wanted = new Set(blocks);
    for (const row of rows) {
      for (const block of blocksNamed(row.definition)) {
        if (!wanted.has(block)) continue;
        const label = `agent ${row.id} (${row.source === 'api' ? 'API graph, ' : 'pinned '}version ${row.version})`;
        users.set(block, [...(users.get(block) ?? []), label]);
      }
    }
    return users;
  }
}
