// Release 2, the trust boundary (release-2.md section 1): who may use an operator credential and where a
// credential may go. `executions.file_trust` records whether an execution was admitted by file trust
// (src/executions/file-trust.ts); `credentials.hosts` is where a user's own credential may be sent
// (null: wherever its block sends it, as in release 1). Safe on a release-1 database: both columns are
// added with defaults, nothing is rewritten but the unfinished executions a trigger of a file agent
// started (or an admin), which get the flag they would have had, so they keep running as before.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OperatorCredentials1796610497750 implements MigrationInterface {
  name = 'OperatorCredentials1796610497750';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "executions" ADD "file_trust" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "credentials" ADD "hosts" text array`);
    await queryRunner.query(`
      UPDATE executions e SET file_trust = true
      FROM graphs g
      WHERE g.id = e.graph_id AND g.source = 'file' AND g.active_version = e.graph_version
        AND e.status IN ('QUEUED', 'RUNNING')
        AND (e.source IN ('webhook', 'github')
          OR (e.source = 'schedule' AND EXISTS (SELECT 1 FROM schedules s WHERE s.id = e.schedule_id AND s.kind = 'trigger'))
          OR EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id AND u.role = 'admin'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credentials" DROP COLUMN "hosts"`);
    await queryRunner.query(`ALTER TABLE "executions" DROP COLUMN "file_trust"`);
  }
}
