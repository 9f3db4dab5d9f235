// All SQL of schedules (`schedules`, `schedule_fires`): trigger schedules kept in step with the active graph
// versions, ad-hoc schedules, and the fire's key (its execution is admitted by executions/admission in the
// same transaction). What a schedule's graph is (active, source, creator) is the graphs module's: see withGraphs.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ScheduleKind } from '../schedule.entity.js';

/** A schedules row. */
export interface StoredSchedule {
  id: string;
  kind: ScheduleKind;
  graph_id: string;
  node_id: string | null;
  cron: string;
  timezone: string;
  inputs: Record<string, unknown>;
  payload: unknown;
  user_id: string | null;
  paused: boolean;
  /** Why the server paused it (an upgrade); null when a person paused it, or it runs. */
  paused_reason: string | null;
  next_fire_at: Date | null;
  last_fired_at: Date | null;
  created_at: Date;
}

/** A schedule with what it needs of its graph (schedules.service.ts withGraphs). */
export interface ScheduleRow extends StoredSchedule {
  /** Whether the graph is active (a schedule of an inactive graph does not fire). */
  graph_active: boolean;
  graph_source: string;
  graph_created_by: string | null;
}

export interface CronTriggerRow {
  graph_id: string;
  node_id: string;
  cron: string;
  timezone: string;
  payload: unknown;
  next_fire_at: Date | null;
}

const COLUMNS = `s.id, s.kind, s.graph_id, s.node_id, s.cron, s.timezone, s.inputs, s.payload, s.user_id, s.paused, s.paused_reason, s.next_fire_at,
  s.last_fired_at, s.created_at`;

@Injectable()
export class SchedulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private async run<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    const result = (await (manager ?? this.dataSource.manager).query(sql, params)) as T[] | [T[], number];
    return Array.isArray(result[0]) && result.length === 2 && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Inserts or updates one trigger schedule per node; a changed cron or zone gets a new next fire time. */
  async upsertTriggerSchedules(rows: readonly CronTriggerRow[], manager?: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    await this.run(
      `INSERT INTO schedules (kind, graph_id, node_id, cron, timezone, payload, next_fire_at)
       SELECT 'trigger', r.graph_id, r.node_id, r.cron, r.timezone, r.payload, r.next_fire_at
       FROM jsonb_to_recordset($1::jsonb) AS r(graph_id text, node_id text, cron text, timezone text, payload jsonb, next_fire_at timestamptz)
       ON CONFLICT (graph_id, node_id) WHERE kind = 'trigger' DO UPDATE SET
         payload = EXCLUDED.payload, cron = EXCLUDED.cron, timezone = EXCLUDED.timezone,
         next_fire_at = CASE WHEN schedules.cron = EXCLUDED.cron AND schedules.timezone = EXCLUDED.timezone AND schedules.next_fire_at IS NOT NULL
                             THEN schedules.next_fire_at ELSE EXCLUDED.next_fire_at END,
         updated_at = now()`,
      [JSON.stringify(rows)],
      manager,
    );
  }

  /** Deletes the trigger schedules of `graphIds` whose node is not in `keep` (`graph/node`); answers them. */
  removeTriggerSchedules(graphIds: readonly string[] | null, keep: readonly string[], manager?: EntityManager): Promise<StoredSchedule[]> {
    return this.run(
      `DELETE FROM schedules s WHERE s.kind = 'trigger'
         AND ($1::text[] IS NULL OR s.graph_id = ANY($1)) AND NOT (s.graph_id || '/' || s.node_id = ANY($2::text[]))
       RETURNING ${COLUMNS}`,
      [graphIds, keep],
      manager,
    );
  }

  list(filter: { graphId?: string; graphIds?: readonly string[]; ids?: string[] } = {}, manager?: EntityManager): Promise<StoredSchedule[]> {
    return this.run(
      `SELECT ${COLUMNS} FROM schedules s
       WHERE ($1::text IS NULL OR s.graph_id = $1) AND ($2::uuid[] IS NULL OR s.id = ANY($2)) AND ($3::text[] IS NULL OR s.graph_id = ANY($3))
       ORDER BY s.graph_id, s.kind DESC, s.node_id, s.created_at, s.id`,
      [filter.graphId ?? null, filter.ids ?? null, filter.graphIds ?? null],
      manager,
    );
  }

  async find(id: string, manager?: EntityManager): Promise<StoredSchedule | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.list({ ids: [id] }, manager))[0] ?? null;
  }

  async createAdhoc(row: {
    graph_id: string;
    cron: string;
    timezone: string;
    inputs: Record<string, unknown>;
    user_id: string;
    next_fire_at: Date;
  }): Promise<string> {
    const rows = await this.run<{ id: string }>(
      `INSERT INTO schedules (kind, graph_id, cron, timezone, inputs, user_id, next_fire_at) VALUES ('adhoc', $1, $2, $3, $4, $5, $6) RETURNING id`,
      [row.graph_id, row.cron, row.timezone, JSON.stringify(row.inputs), row.user_id, row.next_fire_at],
    );
    return rows[0]!.id;
  }

  /** A person pauses or resumes: any reason the server gave for a pause goes. */
  async setPaused(id: string, paused: boolean, nextFireAt: Date | null): Promise<void> {
    await this.run(`UPDATE schedules SET paused = $2, paused_reason = NULL, next_fire_at = COALESCE($3, next_fire_at), updated_at = now() WHERE id = $1`, [
      id,
      paused,
      nextFireAt,
    ]);
  }

  /** Running ad-hoc schedules (schedules.min_interval applies to those of non-admins). */
  runningAdhoc(): Promise<Array<{ id: string; graph_id: string; cron: string; user_id: string }>> {
    return this.run(`SELECT s.id, s.graph_id, s.cron, s.user_id FROM schedules s WHERE s.kind = 'adhoc' AND NOT s.paused ORDER BY s.id`, []);
  }

  /** The server pauses these (unless paused meanwhile), saying why; answers those it paused. */
  async pauseWithReason(ids: readonly string[], reason: string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.run<{ id: string }>(
      `WITH changed AS (
         UPDATE schedules SET paused = true, paused_reason = $2, updated_at = now() WHERE id = ANY($1::uuid[]) AND NOT paused RETURNING id
       ) SELECT id FROM changed ORDER BY id`,
      [ids, reason],
    );
    return rows.map((row) => row.id);
  }

  async delete(id: string): Promise<void> {
    await this.run(`DELETE FROM schedules WHERE id = $1`, [id]);
  }

  /**
   * The fire's key (`schedule_fires`), in the fire's transaction: true when this process is the first to
   * record this fire time (it then creates the execution `executionId`); false for a duplicate.
   */
  async insertFire(key: string, scheduledFor: Date, executionId: string, manager: EntityManager): Promise<boolean> {
    const rows = await this.run(
      `INSERT INTO schedule_fires (schedule_key, scheduled_for, execution_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING schedule_key`,
      [key, scheduledFor, executionId],
      manager,
    );
    return rows.length > 0;
  }

  async markFired(id: string, scheduledFor: Date, manager: EntityManager): Promise<void> {
    await this.run(`UPDATE schedules SET last_fired_at = $2 WHERE id = $1`, [id, scheduledFor], manager);
  }

  /** A skipped (late) fire, remembered so that one process logs it; true when this call recorded it. */
  async insertSkip(key: string, scheduledFor: Date, manager?: EntityManager): Promise<boolean> {
    const rows = await this.run(
      `INSERT INTO schedule_fires (schedule_key, scheduled_for, execution_id) VALUES ($1, $2, NULL) ON CONFLICT DO NOTHING RETURNING schedule_key`,
      [key, scheduledFor],
      manager,
    );
    return rows.length > 0;
  }
}
