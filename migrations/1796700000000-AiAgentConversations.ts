// Release 2, the AI agent (release-2.md section 4): the conversation of each ai.agent node execution,
// stored after every step so a re-run continues it. A new table; nothing existing changes.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AiAgentConversations1796700000000 implements MigrationInterface {
  name = 'AiAgentConversations1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ai_agent_conversations" (
    "node_execution_id" uuid NOT NULL,
    "state" jsonb NOT NULL,
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CONSTRAINT "ai_agent_conversations_pkey" PRIMARY KEY ("node_execution_id")
  )`);
    await queryRunner.query(
      `ALTER TABLE "ai_agent_conversations" ADD CONSTRAINT "ai_agent_conversations_node_execution_id_fkey" FOREIGN KEY ("node_execution_id") REFERENCES "node_executions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ai_agent_conversations"`);
  }
}
