// Release 2, variables and expressions: the effective `vars:` an execution runs with (its agent's values
// under config/vars*.yaml), stored once so re-runs and retries use the same snapshot (null: none recorded
// yet: release-1 executions, and agents that declare no vars); and whether a graph version reads `${{ }}`
// as expressions: versions stored by release 1 (false) keep `${{` as literal text, new ones default to true.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ExecutionVars1796622112832 implements MigrationInterface {
  name = 'ExecutionVars1796622112832';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "executions" ADD COLUMN IF NOT EXISTS "vars" jsonb`);
    await queryRunner.query(`ALTER TABLE "graph_versions" ADD COLUMN IF NOT EXISTS "expressions" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "graph_versions" ALTER COLUMN "expressions" SET DEFAULT true`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "graph_versions" DROP COLUMN "expressions"`);
    await queryRunner.query(`ALTER TABLE "executions" DROP COLUMN "vars"`);
  }
}
