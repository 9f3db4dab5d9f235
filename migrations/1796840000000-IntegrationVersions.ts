// Release 2, integrations as code (release-2.md section 5): sync records a version of each OpenAPI
// integration when it changes, like graph versions. A new table; nothing existing changes.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntegrationVersions1796840000000 implements MigrationInterface {
  name = 'IntegrationVersions1796840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "integration_versions" (
    "name" text NOT NULL,
    "version" integer NOT NULL,
    "hash" text NOT NULL,
    "file" text,
    "operations" jsonb NOT NULL,
    "definition" jsonb,
    "removed" boolean NOT NULL DEFAULT false,
    "commit" text,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "integration_versions_pkey" PRIMARY KEY ("name", "version")
  )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "integration_versions"`);
  }
}
