// Issue 13: an Idempotency-Key replay of an answer shaped by `http_response` answers the first answer's
// status, headers and body (release-2.md section 3), so a delivery remembers the headers it answered with.
// A nullable column: rows written before keep replaying 200 with the body, as release 1 did.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookReplayHeaders1796870000000 implements MigrationInterface {
  name = 'WebhookReplayHeaders1796870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD "headers" jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "headers"`);
  }
}
