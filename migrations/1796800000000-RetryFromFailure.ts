// Release 2, retry from the failure (release-2.md section 3): an execution may retry a failed or cancelled
// one (`source: retry`, `retry_of`), and a node execution it copied instead of running says so (`reused`).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RetryFromFailure1796800000000 implements MigrationInterface {
  name = 'RetryFromFailure1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "executions" ADD "retry_of" uuid`);
    await queryRunner.query(`CREATE INDEX "executions_retry_of_idx" ON "executions" ("retry_of") WHERE retry_of IS NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "executions" ADD CONSTRAINT "executions_retry_of_fkey" FOREIGN KEY ("retry_of") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "executions" DROP CONSTRAINT "executions_source_check"`);
    await queryRunner.query(
      `ALTER TABLE "executions" ADD CONSTRAINT "executions_source_check" CHECK (source IN ('api', 'webhook', 'github', 'schedule', 'agent', 'rerun', 'cli', 'retry'))`,
    );
    await queryRunner.query(`ALTER TABLE "node_executions" ADD "reused" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "node_executions" DROP COLUMN "reused"`);
    await queryRunner.query(`DELETE FROM "executions" WHERE source = 'retry'`);
    await queryRunner.query(`ALTER TABLE "executions" DROP CONSTRAINT "executions_source_check"`);
    await queryRunner.query(
      `ALTER TABLE "executions" ADD CONSTRAINT "executions_source_check" CHECK (source IN ('api', 'webhook', 'github', 'schedule', 'agent', 'rerun', 'cli'))`,
    );
    await queryRunner.query(`ALTER TABLE "executions" DROP CONSTRAINT "executions_retry_of_fkey"`);
    await queryRunner.query(`DROP INDEX "executions_retry_of_idx"`);
    await queryRunner.query(`ALTER TABLE "executions" DROP COLUMN "retry_of"`);
  }
}
