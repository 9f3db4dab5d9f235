// All SQL of presets: a user's saved inputs and credential names for one graph.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uniqueViolation } from '../users/users.repository.js';
import type { PresetEntity } from './preset.entity.js';

export type PresetRow = Omit<PresetEntity, 'graph' | 'user'>;

export type NewPresetRow = Pick<PresetRow, 'graph_id' | 'user_id' | 'name' | 'description' | 'inputs' | 'credentials'>;

/** Thrown by `insert` when the user has a preset of that name for the graph. */
export class PresetExistsError extends Error {}

@Injectable()
export class PresetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  listFor(graphId: string, userId: string): Promise<PresetRow[]> {
    return this.dataSource.query(
      `SELECT id, graph_id, user_id, name, description, inputs, credentials, created_at, updated_at
       FROM presets WHERE graph_id = $1 AND user_id = $2 ORDER BY name`,
      [graphId, userId],
    ) as Promise<PresetRow[]>;
  }

  /** A preset of this graph by id (any user's: the caller checks whose it is). */
  async find(id: string, graphId: string): Promise<Pick<PresetRow, 'user_id' | 'inputs' | 'credentials'> | null> {
    const rows = (await this.dataSource.query(`SELECT user_id, inputs, credentials FROM presets WHERE id::text = $1 AND graph_id = $2`, [
      id,
      graphId,
    ])) as Array<Pick<PresetRow, 'user_id' | 'inputs' | 'credentials'>>;
    return rows[0] ?? null;
  }

  async insert(row: NewPresetRow): Promise<PresetRow> {
    try {
      const rows = (await this.dataSource.query(
        `INSERT INTO presets (graph_id, user_id, name, description, inputs, credentials) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
         RETURNING id, graph_id, user_id, name, description, inputs, credentials, created_at, updated_at`,
        [row.graph_id, row.user_id, row.name, row.description, JSON.stringify(row.inputs), JSON.stringify(row.credentials)],
      )) as PresetRow[];
      return rows[0]!;
    } catch (error) {
      if (uniqueViolation(error)) throw new PresetExistsError();
      throw error;
    }
  }
}
