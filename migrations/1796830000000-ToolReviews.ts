// Release 2, the AI agent (release-2.md section 4): a tool with require_approval goes through a review, and
// one ai.agent node execution may ask for several (one per tool call). A review is now one per (node
// execution, tool call); human.review rows keep tool_call_id ''.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ToolReviews1796830000000 implements MigrationInterface {
  name = 'ToolReviews1796830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "reviews" ADD "tool_call_id" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "reviews_node_execution_id_key"`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "reviews_node_execution_id_tool_call_id_key" UNIQUE ("node_execution_id", "tool_call_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "reviews" WHERE "tool_call_id" <> ''`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP CONSTRAINT "reviews_node_execution_id_tool_call_id_key"`);
    await queryRunner.query(`ALTER TABLE "reviews" ADD CONSTRAINT "reviews_node_execution_id_key" UNIQUE ("node_execution_id")`);
    await queryRunner.query(`ALTER TABLE "reviews" DROP COLUMN "tool_call_id"`);
  }
}
