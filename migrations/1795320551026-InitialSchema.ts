// The initial schema: every table of the data model. The table, index, check and foreign-key statements are
// what TypeORM's schema builder derives from the entities (src/entities.ts) for an empty database;
// test/database/migrations.e2e-spec.ts fails when entities and migrations drift apart. Added by hand, because
// TypeORM does not model them: the trigger that enforces execution status moves (and stamps their times).
import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = [
  `CREATE TABLE "agent_sync_state" (
    "scope" text NOT NULL,
    "commit" text,
    "synced_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    "synced_by" text NOT NULL,
    "summary" jsonb NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "agent_sync_state_pkey" PRIMARY KEY ("scope")
  )`,
  `CREATE TABLE "users" (
    "id" text NOT NULL,
    "handle" text NOT NULL,
    "email" text,
    "name" text,
    "role" text NOT NULL DEFAULT 'user',
    "timezone" text NOT NULL DEFAULT 'UTC',
    "notification_preferences" jsonb NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "users_role_check" CHECK (role IN ('admin', 'user')),
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE UNIQUE INDEX "users_handle_key" ON "users" ("handle")`,
  `CREATE TABLE "api_keys" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "user_id" text NOT NULL,
    "name" text NOT NULL,
    "prefix" text NOT NULL,
    "hash" text NOT NULL,
    "scopes" text array NOT NULL DEFAULT '{}',
    "last_used_at" TIMESTAMP WITH TIME ZONE,
    "revoked_at" TIMESTAMP WITH TIME ZONE,
    "expires_at" TIMESTAMP WITH TIME ZONE,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "api_keys_user_id_idx" ON "api_keys" ("user_id")`,
  `CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys" ("hash")`,
  `CREATE TABLE "credit_balances" (
    "user_id" text NOT NULL,
    "balance" bigint NOT NULL DEFAULT '0',
    "below_threshold" boolean NOT NULL DEFAULT false,
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "credit_balances_balance_check" CHECK (balance >= 0),
    CONSTRAINT "credit_balances_pkey" PRIMARY KEY ("user_id")
  )`,
  `CREATE TABLE "credit_transactions" (
    "id" BIGSERIAL NOT NULL,
    "user_id" text NOT NULL,
    "type" text NOT NULL,
    "amount" bigint NOT NULL,
    "running_balance" bigint NOT NULL,
    "reason" text,
    "execution_id" uuid,
    "node_execution_id" uuid,
    "attempt" integer,
    "block" text,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "credit_transactions_attempt_check" CHECK (node_execution_id IS NULL OR (attempt IS NOT NULL AND attempt >= 1)),
    CONSTRAINT "credit_transactions_running_balance_check" CHECK (running_balance >= 0),
    CONSTRAINT "credit_transactions_amount_check" CHECK (CASE WHEN type = 'USAGE' THEN amount <= 0 ELSE amount > 0 END),
    CONSTRAINT "credit_transactions_type_check" CHECK (type IN ('GRANT', 'TOP_UP', 'USAGE', 'REFUND')),
    CONSTRAINT "credit_transactions_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "credit_transactions_execution_id_idx" ON "credit_transactions" ("execution_id") WHERE execution_id IS NOT NULL`,
  `CREATE UNIQUE INDEX "credit_transactions_refund_key" ON "credit_transactions" ("node_execution_id", "attempt") WHERE type = 'REFUND' AND node_execution_id IS NOT NULL`,
  `CREATE UNIQUE INDEX "credit_transactions_usage_key" ON "credit_transactions" ("node_execution_id", "attempt") WHERE type = 'USAGE' AND node_execution_id IS NOT NULL`,
  `CREATE INDEX "credit_transactions_user_id_id_idx" ON "credit_transactions" ("user_id", "id")`,
  `CREATE TABLE "graphs" (
    "id" text NOT NULL,
    "description" text,
    "source" text NOT NULL,
    "owner_id" text,
    "created_by" text,
    "active" boolean NOT NULL DEFAULT true,
    "active_version" integer NOT NULL,
    "latest_version" integer NOT NULL,
    "pinned_version" integer,
    "file" text,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "deactivated_at" TIMESTAMP WITH TIME ZONE,
    CONSTRAINT "graphs_deactivated_check" CHECK (active OR deactivated_at IS NOT NULL),
    CONSTRAINT "graphs_versions_check" CHECK (active_version >= 1 AND active_version <= latest_version AND (pinned_version IS NULL OR pinned_version BETWEEN 1 AND latest_version)),
    CONSTRAINT "graphs_file_check" CHECK ((source = 'file') = (file IS NOT NULL)),
    CONSTRAINT "graphs_source_check" CHECK (source IN ('file', 'api')),
    CONSTRAINT "graphs_id_check" CHECK (id ~ '^[a-z][a-z0-9-]{1,62}$'),
    CONSTRAINT "graphs_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "graphs_owner_id_idx" ON "graphs" ("owner_id") WHERE owner_id IS NOT NULL`,
  `CREATE INDEX "graphs_created_by_idx" ON "graphs" ("created_by") WHERE created_by IS NOT NULL`,
  `CREATE TABLE "graph_versions" (
    "graph_id" text NOT NULL,
    "version" integer NOT NULL,
    "definition" jsonb NOT NULL,
    "hash" text NOT NULL,
    "file" text,
    "commit" text,
    "created_by" text,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "graph_versions_version_check" CHECK (version >= 1),
    CONSTRAINT "graph_versions_pkey" PRIMARY KEY ("graph_id", "version")
  )`,
  `CREATE TABLE "presets" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "graph_id" text NOT NULL,
    "user_id" text NOT NULL,
    "name" text NOT NULL,
    "description" text,
    "inputs" jsonb NOT NULL DEFAULT '{}',
    "credentials" jsonb NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "presets_graph_id_user_id_name_key" UNIQUE ("graph_id", "user_id", "name"),
    CONSTRAINT "presets_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "presets_user_id_idx" ON "presets" ("user_id")`,
  `CREATE TABLE "schedules" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "kind" text NOT NULL,
    "graph_id" text NOT NULL,
    "node_id" text,
    "cron" text NOT NULL,
    "timezone" text NOT NULL DEFAULT 'UTC',
    "inputs" jsonb NOT NULL DEFAULT '{}',
    "payload" jsonb,
    "user_id" text,
    "paused" boolean NOT NULL DEFAULT false,
    "next_fire_at" TIMESTAMP WITH TIME ZONE,
    "last_fired_at" TIMESTAMP WITH TIME ZONE,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "schedules_adhoc_user_check" CHECK (kind <> 'adhoc' OR user_id IS NOT NULL),
    CONSTRAINT "schedules_trigger_node_check" CHECK ((kind = 'trigger') = (node_id IS NOT NULL)),
    CONSTRAINT "schedules_kind_check" CHECK (kind IN ('trigger', 'adhoc')),
    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "schedules_user_id_idx" ON "schedules" ("user_id") WHERE user_id IS NOT NULL`,
  `CREATE INDEX "schedules_next_fire_at_idx" ON "schedules" ("next_fire_at") WHERE NOT paused AND next_fire_at IS NOT NULL`,
  `CREATE INDEX "schedules_graph_id_idx" ON "schedules" ("graph_id")`,
  `CREATE UNIQUE INDEX "schedules_graph_id_node_id_key" ON "schedules" ("graph_id", "node_id") WHERE kind = 'trigger'`,
  `CREATE TABLE "node_executions" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "execution_id" uuid NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "node_id" text NOT NULL,
    "block" text NOT NULL,
    "status" text NOT NULL,
    "inputs" jsonb NOT NULL DEFAULT '{}',
    "outputs" jsonb NOT NULL DEFAULT '{}',
    "error" jsonb,
    "cost" integer NOT NULL DEFAULT '0',
    "attempts" jsonb NOT NULL DEFAULT '[]',
    "attempt" integer NOT NULL DEFAULT '0',
    "resume_at" TIMESTAMP WITH TIME ZONE,
    "waiting_for" jsonb,
    "delivered_seq" integer NOT NULL DEFAULT '0',
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "started_at" TIMESTAMP WITH TIME ZONE,
    "ended_at" TIMESTAMP WITH TIME ZONE,
    CONSTRAINT "node_executions_waiting_check" CHECK (status <> 'WAITING' OR resume_at IS NOT NULL OR waiting_for IS NOT NULL),
    CONSTRAINT "node_executions_counts_check" CHECK (cost >= 0 AND attempt >= 0 AND delivered_seq >= 0),
    CONSTRAINT "node_executions_status_check" CHECK (status IN ('INCOMPLETE', 'QUEUED', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    CONSTRAINT "node_executions_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "node_executions_resume_at_idx" ON "node_executions" ("resume_at") WHERE status = 'WAITING' AND resume_at IS NOT NULL`,
  `CREATE INDEX "node_executions_execution_id_seq_idx" ON "node_executions" ("execution_id", "seq")`,
  `CREATE INDEX "node_executions_execution_id_status_idx" ON "node_executions" ("execution_id", "status")`,
  `CREATE TABLE "executions" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "graph_id" text NOT NULL,
    "graph_version" integer NOT NULL,
    "status" text NOT NULL DEFAULT 'QUEUED',
    "source" text NOT NULL,
    "trigger_node" text,
    "user_id" text NOT NULL,
    "parent_id" uuid,
    "parent_node_execution_id" uuid,
    "rerun_of" uuid,
    "depth" integer NOT NULL DEFAULT '0',
    "inputs" jsonb NOT NULL DEFAULT '{}',
    "trigger_event" jsonb,
    "credentials" jsonb NOT NULL DEFAULT '{}',
    "outputs" jsonb,
    "error" jsonb,
    "cost" integer NOT NULL DEFAULT '0',
    "node_execution_count" integer NOT NULL DEFAULT '0',
    "preset_id" uuid,
    "schedule_id" uuid,
    "lease_owner" text,
    "lease_until" TIMESTAMP WITH TIME ZONE,
    "deadline_at" TIMESTAMP WITH TIME ZONE,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "started_at" TIMESTAMP WITH TIME ZONE,
    "ended_at" TIMESTAMP WITH TIME ZONE,
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "executions_counts_check" CHECK (depth >= 0 AND cost >= 0 AND node_execution_count >= 0),
    CONSTRAINT "executions_ended_at_check" CHECK ((ended_at IS NOT NULL) = (status IN ('COMPLETED', 'FAILED', 'CANCELLED'))),
    CONSTRAINT "executions_source_check" CHECK (source IN ('api', 'webhook', 'github', 'schedule', 'agent', 'rerun', 'cli')),
    CONSTRAINT "executions_status_check" CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    CONSTRAINT "executions_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "executions_parent_id_idx" ON "executions" ("parent_id") WHERE parent_id IS NOT NULL`,
  `CREATE INDEX "executions_parent_node_execution_id_idx" ON "executions" ("parent_node_execution_id") WHERE parent_node_execution_id IS NOT NULL`,
  `CREATE INDEX "executions_rerun_of_idx" ON "executions" ("rerun_of") WHERE rerun_of IS NOT NULL`,
  `CREATE INDEX "executions_preset_id_idx" ON "executions" ("preset_id") WHERE preset_id IS NOT NULL`,
  `CREATE INDEX "executions_schedule_id_idx" ON "executions" ("schedule_id") WHERE schedule_id IS NOT NULL`,
  `CREATE INDEX "executions_ended_at_idx" ON "executions" ("ended_at") WHERE ended_at IS NOT NULL`,
  `CREATE INDEX "executions_deadline_at_idx" ON "executions" ("deadline_at") WHERE status = 'RUNNING' AND deadline_at IS NOT NULL`,
  `CREATE INDEX "executions_lease_until_idx" ON "executions" ("lease_until") WHERE status = 'RUNNING'`,
  `CREATE INDEX "executions_queued_idx" ON "executions" ("created_at", "id") WHERE status = 'QUEUED'`,
  `CREATE INDEX "executions_graph_unfinished_idx" ON "executions" ("graph_id", "status", "created_at", "id") WHERE status IN ('QUEUED', 'RUNNING')`,
  `CREATE INDEX "executions_graph_id_created_at_idx" ON "executions" ("graph_id", "created_at", "id")`,
  `CREATE INDEX "executions_user_id_created_at_idx" ON "executions" ("user_id", "created_at", "id")`,
  `CREATE INDEX "executions_created_at_idx" ON "executions" ("created_at", "id")`,
  `CREATE TABLE "durable_jobs" (
    "id" BIGSERIAL NOT NULL,
    "queue" text NOT NULL,
    "name" text NOT NULL,
    "payload" jsonb NOT NULL DEFAULT '{}',
    "run_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "attempts" integer NOT NULL DEFAULT '0',
    "max_attempts" integer NOT NULL DEFAULT '1',
    "locked_by" text,
    "locked_until" TIMESTAMP WITH TIME ZONE,
    "last_error" text,
    "failed_at" TIMESTAMP WITH TIME ZONE,
    "dedupe_key" text,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "durable_jobs_queue_dedupe_key_key" UNIQUE ("queue", "dedupe_key"),
    CONSTRAINT "durable_jobs_attempts_check" CHECK (attempts >= 0 AND max_attempts >= 1),
    CONSTRAINT "durable_jobs_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "durable_jobs_due_idx" ON "durable_jobs" ("queue", "run_at") WHERE failed_at IS NULL`,
  `CREATE TABLE "graph_triggers" (
    "graph_id" text NOT NULL,
    "version" integer NOT NULL,
    "node_id" text NOT NULL,
    "block" text NOT NULL,
    "config" jsonb NOT NULL DEFAULT '{}',
    "credentials" jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT "graph_triggers_pkey" PRIMARY KEY ("graph_id", "version", "node_id")
  )`,
  `CREATE INDEX "graph_triggers_block_idx" ON "graph_triggers" ("block", "graph_id", "version")`,
  `CREATE TABLE "credentials" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "user_id" text NOT NULL,
    "name" text NOT NULL,
    "provider" text NOT NULL,
    "type" text NOT NULL,
    "ciphertext" text NOT NULL,
    "key_id" text NOT NULL,
    "metadata" jsonb NOT NULL DEFAULT '{}',
    "version" integer NOT NULL DEFAULT '1',
    "refresh_lease_until" TIMESTAMP WITH TIME ZONE,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "credentials_user_id_name_key" UNIQUE ("user_id", "name"),
    CONSTRAINT "credentials_version_check" CHECK (version >= 1),
    CONSTRAINT "credentials_type_check" CHECK (type IN ('api_key', 'oauth2', 'user_password', 'webhook_secret', 'secret_url', 'header', 'smtp')),
    CONSTRAINT "credentials_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE TABLE "oauth_states" (
    "state" text NOT NULL,
    "user_id" text NOT NULL,
    "provider" text NOT NULL,
    "name" text NOT NULL,
    "code_verifier" text NOT NULL,
    "key_id" text NOT NULL,
    "redirect_uri" text NOT NULL,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("state")
  )`,
  `CREATE INDEX "oauth_states_user_id_idx" ON "oauth_states" ("user_id")`,
  `CREATE INDEX "oauth_states_expires_at_idx" ON "oauth_states" ("expires_at")`,
  `CREATE TABLE "notifications" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "user_id" text NOT NULL,
    "kind" text NOT NULL,
    "title" text NOT NULL,
    "body" text NOT NULL,
    "data" jsonb NOT NULL DEFAULT '{}',
    "read_at" TIMESTAMP WITH TIME ZONE,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "notifications_kind_check" CHECK (kind IN ('AGENT_RUN', 'EXECUTION_FAILED', 'LOW_BALANCE', 'ZERO_BALANCE', 'SYSTEM')),
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "notifications_user_id_unread_idx" ON "notifications" ("user_id", "created_at", "id") WHERE read_at IS NULL`,
  `CREATE INDEX "notifications_user_id_created_at_idx" ON "notifications" ("user_id", "created_at", "id")`,
  `CREATE TABLE "notification_deliveries" (
    "id" uuid NOT NULL DEFAULT gen_random_uuid(),
    "notification_id" uuid,
    "user_id" text,
    "kind" text NOT NULL,
    "channel_type" text NOT NULL,
    "channel_name" text,
    "target" text,
    "status" text NOT NULL DEFAULT 'PENDING',
    "attempts" integer NOT NULL DEFAULT '0',
    "last_error" text,
    "next_attempt_at" TIMESTAMP WITH TIME ZONE DEFAULT now(),
    "payload" jsonb NOT NULL DEFAULT '{}',
    "execution_id" uuid,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMP WITH TIME ZONE,
    CONSTRAINT "notification_deliveries_delivered_at_check" CHECK ((status = 'SENT') = (delivered_at IS NOT NULL)),
    CONSTRAINT "notification_deliveries_attempts_check" CHECK (attempts >= 0),
    CONSTRAINT "notification_deliveries_status_check" CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    CONSTRAINT "notification_deliveries_channel_type_check" CHECK (channel_type IN ('in_app', 'email', 'slack', 'webhook')),
    CONSTRAINT "notification_deliveries_kind_check" CHECK (kind IN ('AGENT_RUN', 'EXECUTION_FAILED', 'LOW_BALANCE', 'ZERO_BALANCE', 'SYSTEM')),
    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
  )`,
  `CREATE INDEX "notification_deliveries_created_at_idx" ON "notification_deliveries" ("created_at")`,
  `CREATE INDEX "notification_deliveries_notification_id_idx" ON "notification_deliveries" ("notification_id") WHERE notification_id IS NOT NULL`,
  `CREATE INDEX "notification_deliveries_user_id_created_at_idx" ON "notification_deliveries" ("user_id", "created_at", "id") WHERE user_id IS NOT NULL`,
  `CREATE INDEX "notification_deliveries_pending_idx" ON "notification_deliveries" ("next_attempt_at") WHERE status = 'PENDING'`,
  `CREATE TABLE "schedule_fires" (
    "schedule_key" text NOT NULL,
    "scheduled_for" TIMESTAMP WITH TIME ZONE NOT NULL,
    "execution_id" uuid,
    "fired_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "schedule_fires_pkey" PRIMARY KEY ("schedule_key", "scheduled_for")
  )`,
  `CREATE INDEX "schedule_fires_fired_at_idx" ON "schedule_fires" ("fired_at")`,
  `CREATE TABLE "webhook_deliveries" (
    "scope" text NOT NULL,
    "key" text NOT NULL,
    "body_hash" text NOT NULL,
    "status_code" integer,
    "response" jsonb,
    "execution_ids" uuid array NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("scope", "key")
  )`,
  `CREATE INDEX "webhook_deliveries_expires_at_idx" ON "webhook_deliveries" ("expires_at")`,
  `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "credit_transactions" ADD CONSTRAINT "credit_transactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "graphs" ADD CONSTRAINT "graphs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "graphs" ADD CONSTRAINT "graphs_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "graph_versions" ADD CONSTRAINT "graph_versions_graph_id_fkey" FOREIGN KEY ("graph_id") REFERENCES "graphs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "graph_versions" ADD CONSTRAINT "graph_versions_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "presets" ADD CONSTRAINT "presets_graph_id_fkey" FOREIGN KEY ("graph_id") REFERENCES "graphs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "presets" ADD CONSTRAINT "presets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "schedules" ADD CONSTRAINT "schedules_graph_id_fkey" FOREIGN KEY ("graph_id") REFERENCES "graphs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "schedules" ADD CONSTRAINT "schedules_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "node_executions" ADD CONSTRAINT "node_executions_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "executions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_graph_version_fkey" FOREIGN KEY ("graph_id", "graph_version") REFERENCES "graph_versions"("graph_id","version") ON DELETE NO ACTION ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_parent_node_execution_id_fkey" FOREIGN KEY ("parent_node_execution_id") REFERENCES "node_executions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_rerun_of_fkey" FOREIGN KEY ("rerun_of") REFERENCES "executions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_preset_id_fkey" FOREIGN KEY ("preset_id") REFERENCES "presets"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "executions" ADD CONSTRAINT "executions_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "graph_triggers" ADD CONSTRAINT "graph_triggers_graph_version_fkey" FOREIGN KEY ("graph_id", "version") REFERENCES "graph_versions"("graph_id","version") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "credentials" ADD CONSTRAINT "credentials_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  `ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  `ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
];

/**
 * Execution status moves, enforced in SQL (runtime.md): QUEUED -> RUNNING | CANCELLED | FAILED and
 * RUNNING -> COMPLETED | FAILED | CANCELLED; nothing else, a finished execution never changes status. The error
 * is a check_violation naming the constraint `executions_status_transition`, so callers can tell it apart.
 * The same function stamps `started_at` on the move to RUNNING and `ended_at` on a move to a final status
 * when the writer left them null, so retention (by ended_at) can rely on them. It fires only when the status
 * changes (or a row is inserted already past QUEUED): lease renewals and progress updates pay nothing.
 */
const EXECUTION_STATUS_RULES = [
  `CREATE FUNCTION "executions_status_transition"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND NOT (
      (OLD.status = 'QUEUED' AND NEW.status IN ('RUNNING', 'CANCELLED', 'FAILED'))
      OR (OLD.status = 'RUNNING' AND NEW.status IN ('COMPLETED', 'FAILED', 'CANCELLED'))
    ) THEN
      RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'executions_status_transition',
        MESSAGE = format(
          'Execution %s cannot move from %s to %s: the allowed moves are QUEUED -> RUNNING, CANCELLED or FAILED and RUNNING -> COMPLETED, FAILED or CANCELLED; a finished execution never changes status.',
          OLD.id, OLD.status, NEW.status),
        HINT = 'Another process may have moved it first: re-read the execution, and guard status updates with WHERE status = <the expected status>.';
    END IF;
    IF NEW.status = 'RUNNING' AND NEW.started_at IS NULL THEN
      NEW.started_at := now();
    END IF;
    IF NEW.status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND NEW.ended_at IS NULL THEN
      NEW.ended_at := now();
    END IF;
    IF TG_OP = 'UPDATE' THEN
      NEW.updated_at := now();
    END IF;
    RETURN NEW;
  END
  $$`,
  `CREATE TRIGGER "executions_status_transition" BEFORE UPDATE OF "status" ON "executions"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION "executions_status_transition"()`,
  `CREATE TRIGGER "executions_status_on_insert" BEFORE INSERT ON "executions"
    FOR EACH ROW WHEN (NEW.status <> 'QUEUED') EXECUTE FUNCTION "executions_status_transition"()`,
];

export class InitialSchema1795320551026 implements MigrationInterface {
  name = 'InitialSchema1795320551026';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [...TABLES, ...EXECUTION_STATUS_RULES]) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // One DROP TABLE for all of them: Postgres drops the foreign keys between listed tables with them.
    await queryRunner.query(`DROP TABLE
      "webhook_deliveries", "schedule_fires", "notification_deliveries", "notifications", "oauth_states",
      "credentials", "graph_triggers", "durable_jobs", "executions", "node_executions",
      "schedules", "presets", "graph_versions", "graphs", "credit_transactions",
      "credit_balances", "api_keys", "users", "agent_sync_state"
    `);
    await queryRunner.query(`DROP FUNCTION "executions_status_transition"()`);
  }
}
