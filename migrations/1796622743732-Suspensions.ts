// Release 2, suspensions (release-2.md section 3): human reviews with their one-time link tokens, events
// posted for wait.event (buffered until a waiter consumes them, each consumed once), the REVIEW_REQUESTED
// notification kind, and when an execution began waiting only (that time does not count toward its timeout).
import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS_BEFORE = `'AGENT_RUN', 'EXECUTION_FAILED', 'LOW_BALANCE', 'ZERO_BALANCE', 'SYSTEM'`;
const KINDS_AFTER = `'AGENT_RUN', 'EXECUTION_FAILED', 'LOW_BALANCE', 'ZERO_BALANCE', 'SYSTEM', 'REVIEW_REQUESTED'`;

export class Suspensions1796622743732 implements MigrationInterface {
  name = 'Suspensions1796622743732';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "reviews" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "execution_id" uuid NOT NULL,
      "node_execution_id" uuid NOT NULL,
      "node_id" text NOT NULL,
      "graph_id" text NOT NULL,
      "user_id" text NOT NULL,
      "title" text NOT NULL,
      "body" text NOT NULL,
      "data" jsonb,
      "decisions" jsonb NOT NULL,
      "schema" jsonb,
      "reviewers" jsonb NOT NULL,
      "on_timeout" text NOT NULL,
      "status" text NOT NULL DEFAULT 'pending',
      "decision" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "reviews_status_check" CHECK (status IN ('pending', 'approved', 'rejected', 'timed_out', 'cancelled')),
      CONSTRAINT "reviews_on_timeout_check" CHECK (on_timeout IN ('reject', 'approve', 'fail')),
      CONSTRAINT "reviews_node_execution_id_key" UNIQUE ("node_execution_id"),
      CONSTRAINT "reviews_pkey" PRIMARY KEY ("id"),
      CONSTRAINT "reviews_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "reviews_execution_id_idx" ON "reviews" ("execution_id")`);
    await queryRunner.query(`CREATE INDEX "reviews_pending_graph_id_idx" ON "reviews" ("graph_id") WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX "reviews_created_at_idx" ON "reviews" ("created_at", "id")`);
    await queryRunner.query(`CREATE TABLE "review_tokens" (
      "token_hash" text NOT NULL,
      "review_id" uuid NOT NULL,
      "user_id" text NOT NULL,
      CONSTRAINT "review_tokens_pkey" PRIMARY KEY ("token_hash"),
      CONSTRAINT "review_tokens_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "reviews"("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "review_tokens_review_id_idx" ON "review_tokens" ("review_id")`);
    await queryRunner.query(`CREATE TABLE "wait_events" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "graph_id" text NOT NULL,
      "node_id" text NOT NULL,
      "key" text NOT NULL,
      "body" jsonb,
      "headers" jsonb NOT NULL DEFAULT '{}',
      "idempotency_key" text,
      "posted_by" text,
      "consumed_by" uuid,
      "timed_out" boolean NOT NULL DEFAULT false,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "wait_events_consumed_by_key" UNIQUE ("consumed_by"),
      CONSTRAINT "wait_events_pkey" PRIMARY KEY ("id")
    )`);
    await queryRunner.query(`CREATE INDEX "wait_events_buffered_idx" ON "wait_events" ("graph_id", "node_id", "key", "created_at") WHERE consumed_by IS NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "wait_events_idempotency_key_idx" ON "wait_events" ("graph_id", "node_id", "idempotency_key") WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "executions" ADD COLUMN IF NOT EXISTS "waiting_since" TIMESTAMP WITH TIME ZONE`);
    for (const table of ['notifications', 'notification_deliveries']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_kind_check"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_kind_check" CHECK (kind IN (${KINDS_AFTER}))`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['notifications', 'notification_deliveries']) {
      await queryRunner.query(`DELETE FROM "${table}" WHERE kind = 'REVIEW_REQUESTED'`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_kind_check"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_kind_check" CHECK (kind IN (${KINDS_BEFORE}))`);
    }
    await queryRunner.query(`ALTER TABLE "executions" DROP COLUMN "waiting_since"`);
    await queryRunner.query(`DROP TABLE "wait_events"`);
    await queryRunner.query(`DROP TABLE "review_tokens"`);
    await queryRunner.query(`DROP TABLE "reviews"`);
  }
}
