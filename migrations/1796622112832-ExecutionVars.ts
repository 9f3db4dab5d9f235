// Release 2, variables: the effective `vars:` an execution runs with (its agent's values under
// config/vars*.yaml), stored once so re-runs and retries use the same snapshot. Null: none recorded yet
// (release-1 executions, and agents that declare no vars).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ExecutionVars1796622112832 implements MigrationInterface {
  name = 'ExecutionVars1796622112832';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "executions" ADD COLUMN IF NOT EXISTS "vars" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "executions" DROP COLUMN "vars"`);
  }
}
