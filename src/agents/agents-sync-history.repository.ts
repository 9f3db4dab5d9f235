// The history of agent syncs: one row per sync (applied or skipped) with the files that had problems, and the
// last result of each file of an applied sync. Written in the sync's own transaction, so it says what happened.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { SyncRunFile } from './agent-sync-history.entity.js';
import type { PlanEntry } from './agents-plan.js';

/** How many runs each folder keeps (older ones are deleted as new ones are written). */
export const SYNC_RUNS_KEPT = 100;

export interface SyncRunRow {
  id: string;
  commit: string | null;
  trigger: string;
  synced_by: string;
  status: string;
  reason: string | null;
  summary: Record<string, number>;
  files: SyncRunFile[];
  synced_at: Date;
}

export interface SyncFileRow {
  file: string;
  agent: string;
  action: string;
  problems: SyncRunFile['problems'];
  commit: string | null;
  run_id: string;
  synced_at: Date;
}

export interface NewSyncRun {
  scope: string;
  commit: string | null;
  trigger: string;
  synced_by: string;
  status: 'applied' | 'skipped';
  reason: string | null;
  summary: Record<string, number>;
  entries: PlanEntry[];
}

@Injectable()
export class AgentsSyncHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records a sync; an applied one also becomes the last result of each of its files. Answers the run id. */
  async record(manager: EntityManager, run: NewSyncRun): Promise<string> {
    const withProblems: SyncRunFile[] = run.entries
      .filter((entry) => entry.problems.length > 0)
      .map((entry) => ({ file: entry.file, agent: entry.name, action: entry.action, problems: entry.problems }));
    const [row] = (await manager.query(
      `INSERT INTO agent_sync_runs (scope, "commit", trigger, synced_by, status, reason, summary, files)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb) RETURNING id, synced_at`,
      [run.scope, run.commit, run.trigger, run.synced_by, run.status, run.reason, JSON.stringify(run.summary), JSON.stringify(withProblems)],
    )) as Array<{ id: string; synced_at: Date }>;
    const { id } = row!;
    if (run.status === 'applied') {
      const files = run.entries.filter((entry) => entry.file).map((entry) => ({ file: entry.file, agent: entry.name, action: entry.action, problems: entry.problems }));
      await manager.query(
        `INSERT INTO agent_sync_files (scope, file, agent, action, problems, "commit", run_id, synced_at)
         SELECT $1, f.file, f.agent, f.action, f.problems, $2, $3, $4 FROM jsonb_to_recordset($5::jsonb) AS f(file text, agent text, action text, problems jsonb)
         ON CONFLICT (scope, file) DO UPDATE SET agent = EXCLUDED.agent, action = EXCLUDED.action, problems = EXCLUDED.problems,
           "commit" = EXCLUDED."commit", run_id = EXCLUDED.run_id, synced_at = EXCLUDED.synced_at`,
        [run.scope, run.commit, id, row!.synced_at, JSON.stringify(files)],
      );
    }
    await manager.query(
      `DELETE FROM agent_sync_runs WHERE scope = $1 AND id NOT IN (SELECT id FROM agent_sync_runs WHERE scope = $1 ORDER BY synced_at DESC, id LIMIT $2)`,
      [run.scope, SYNC_RUNS_KEPT],
    );
    return id;
  }

  /** The newest runs first (at most `limit`), and the last result of every file, by path. */
  async history(scope: string, limit: number): Promise<{ runs: SyncRunRow[]; files: SyncFileRow[] }> {
    const runs = (await this.dataSource.query(
      `SELECT id, "commit", trigger, synced_by, status, reason, summary, files, synced_at FROM agent_sync_runs
       WHERE scope = $1 ORDER BY synced_at DESC, id LIMIT $2`,
      [scope, limit],
    )) as SyncRunRow[];
    const files = (await this.dataSource.query(
      `SELECT file, agent, action, problems, "commit", run_id, synced_at FROM agent_sync_files WHERE scope = $1 ORDER BY file`,
      [scope],
    )) as SyncFileRow[];
    return { runs, files };
  }
}
