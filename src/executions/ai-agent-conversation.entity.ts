import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { NodeExecutionEntity } from './node-execution.entity.js';

/**
 * The stored conversation of one ai.agent node execution (release-2.md section 4): written after every
 * model call and every batch of tool results, so a re-run of the node (a lapsed lease, a retry) continues
 * it instead of repeating what finished. `state` is blocks/library/ai/ai-agent.loop.ts AgentCheckpoint.
 */
@Entity({ name: 'ai_agent_conversations' })
export class AiAgentConversationEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'ai_agent_conversations_pkey' })
  node_execution_id!: string;

  @ManyToOne(() => NodeExecutionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'node_execution_id', foreignKeyConstraintName: 'ai_agent_conversations_node_execution_id_fkey' })
  node_execution?: Relation<NodeExecutionEntity>;

  @Column({ type: 'jsonb' })
  state!: unknown;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
