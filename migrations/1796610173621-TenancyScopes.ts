// Release 2, tenant isolation and scopes (release-2.md section 7): a trigger that an upgrade disabled says
// why (`graph_triggers.disabled_reason`), an ad-hoc schedule that an upgrade paused says why
// (`schedules.paused_reason`); the start-up step of src/triggers/trigger-policy.startup.ts fills them and logs
// it. API keys that held their role's whole release-1 scope set gain the new scopes `account` and
// `reviews:decide`, so a key that could do everything still can. Nothing is dropped.
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The scope sets of release 1, per role: a key with exactly one of these held "everything". */
const RELEASE_1_USER_SCOPES = ['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage'];
const RELEASE_1_ADMIN_SCOPES = [...RELEASE_1_USER_SCOPES, 'admin'];
const NEW_SCOPES = ['account', 'reviews:decide'];

export class TenancyScopes1796610173621 implements MigrationInterface {
  name = 'TenancyScopes1796610173621';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "graph_triggers" ADD "disabled_reason" text`);
    await queryRunner.query(`ALTER TABLE "schedules" ADD "paused_reason" text`);
    await this.upgradeKeys(queryRunner);
  }

  /** Keys whose scopes equal (as sets) their user's role's release-1 set gain the new scopes. */
  async upgradeKeys(queryRunner: Pick<QueryRunner, 'query'>): Promise<void> {
    await queryRunner.query(
      `UPDATE api_keys k SET scopes = k.scopes || $3::text[]
       FROM users u
       WHERE u.id = k.user_id AND NOT (k.scopes && $3::text[])
         AND ((u.role = 'user' AND k.scopes @> $1::text[] AND k.scopes <@ $1::text[])
           OR (u.role = 'admin' AND k.scopes @> $2::text[] AND k.scopes <@ $2::text[]))`,
      [RELEASE_1_USER_SCOPES, RELEASE_1_ADMIN_SCOPES, NEW_SCOPES],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE api_keys SET scopes = array_remove(array_remove(scopes, 'account'), 'reviews:decide') WHERE scopes && $1::text[]`, [
      NEW_SCOPES,
    ]);
    await queryRunner.query(`ALTER TABLE "schedules" DROP COLUMN "paused_reason"`);
    await queryRunner.query(`ALTER TABLE "graph_triggers" DROP COLUMN "disabled_reason"`);
  }
}
