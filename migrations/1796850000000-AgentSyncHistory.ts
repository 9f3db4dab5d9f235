// Issue 18: the history of agent syncs (GET /api/agents/sync): one row per sync, applied or skipped, with the
// files that had problems, and the last result of each file. New tables; nothing existing changes.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentSyncHistory1796850000000 implements MigrationInterface {
  name = 'AgentSyncHistory1796850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "agent_sync_runs" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "scope" text NOT NULL,
    "commit" text,
    "trigger" text NOT NULL,
    "synced_by" text NOT NULL,
    "status" text NOT NULL,
    "reason" text,
    "summary" jsonb NOT NULL DEFAULT '{}',
    "files" jsonb NOT NULL DEFAULT '[]',
    "synced_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "agent_sync_runs_pkey" PRIMARY KEY ("id")
  )`);
    await queryRunner.query(`CREATE INDEX "agent_sync_runs_scope_synced_at_idx" ON "agent_sync_runs" ("scope", "synced_at")`);
    await queryRunner.query(`CREATE TABLE "agent_sync_files" (
    "scope" text NOT NULL,
    "file" text NOT NULL,
    "agent" text NOT NULL,
    "action" text NOT NULL,
    "problems" jsonb NOT NULL DEFAULT '[]',
    "commit" text,
    "run_id" uuid NOT NULL,
    "synced_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT "agent_sync_files_pkey" PRIMARY KEY ("scope", "file")
  )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "agent_sync_files"`);
    await queryRunner.query(`DROP TABLE "agent_sync_runs"`);
  }
}
