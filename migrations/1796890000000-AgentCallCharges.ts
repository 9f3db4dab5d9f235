// Issue 14: ai.agent charges each model call and each block tool run under the key (node execution, step,
// call) (release-2.md section 4), not once per attempt: a USAGE row may carry a `charge_key`. Rows without
// one stay unique per (node execution, attempt); rows with one are unique per (node execution, key), so a
// replay after a crash or a retry of the node never pays for a call twice.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentCallCharges1796890000000 implements MigrationInterface {
  name = 'AgentCallCharges1796890000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "credit_transactions" ADD "charge_key" text`);
    await queryRunner.query(`DROP INDEX "credit_transactions_usage_key"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credit_transactions_usage_key" ON "credit_transactions" ("node_execution_id", "attempt") WHERE type = 'USAGE' AND node_execution_id IS NOT NULL AND charge_key IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credit_transactions_call_key" ON "credit_transactions" ("node_execution_id", "charge_key") WHERE type = 'USAGE' AND charge_key IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "credit_transactions_call_key"`);
    // Per-call rows cannot fit the per-attempt key: they leave the ledger (the balances keep what they paid).
    await queryRunner.query(`DELETE FROM "credit_transactions" WHERE charge_key IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "credit_transactions_usage_key"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "credit_transactions_usage_key" ON "credit_transactions" ("node_execution_id", "attempt") WHERE type = 'USAGE' AND node_execution_id IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "credit_transactions" DROP COLUMN "charge_key"`);
  }
}
