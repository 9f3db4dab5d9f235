// Release 2, poison values: how often a node was run again after its worker's lease lapsed, so the re-runs can
// be capped (executor.max_resumes, then WORKER_LOST). Existing rows start at 0: nothing of release 1 is lost.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NodeResumes1796610070626 implements MigrationInterface {
  name = 'NodeResumes1796610070626';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "node_executions" ADD COLUMN IF NOT EXISTS "resumes" integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "node_executions" DROP COLUMN "resumes"`);
  }
}
