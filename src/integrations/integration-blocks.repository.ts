// The SQL an api or worker process needs to serve integrations at their recorded versions: the newest
// version of some integrations (small rows), and one version's definition (the blocks are rebuilt from it).
// Sync writes integration_versions (agents/integrations.repository.ts); nothing here writes.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IntegrationDefinition } from '../blocks/openapi/integration.types.js';

export interface RecordedVersion {
  name: string;
  version: number;
  hash: string;
  removed: boolean;
}

@Injectable()
export class IntegrationBlocksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest recorded version of each of `names` (of every integration when null), by name. */
  async newest(names: readonly string[] | null): Promise<Map<string, RecordedVersion>> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ON (name) name, version, hash, removed FROM integration_versions
        WHERE $1::text[] IS NULL OR name = ANY($1::text[]) ORDER BY name, version DESC`,
      [names],
    )) as RecordedVersion[];
    return new Map(rows.map((row) => [row.name, row]));
  }

  /** One version's definition: undefined when the row is missing, null when it was recorded without one. */
  async definition(name: string, version: number): Promise<IntegrationDefinition | null | undefined> {
    const rows = (await this.dataSource.query(`SELECT definition FROM integration_versions WHERE name = $1 AND version = $2`, [name, version])) as Array<{
      definition: IntegrationDefinition | null;
    }>;
    return rows.length ? rows[0]!.definition : undefined;
  }
}
