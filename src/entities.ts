// Every TypeORM entity, in one list, at the app root: each feature owns its entities, and database/ (below
// every feature) must not import them. openDataSource is the DataSource over all of them: the app, the CLI
// (which hands it to the commands), the migrations drift check and the tests share it.
import type { DataSource } from 'typeorm';
import { createDataSource, type DataSourceOptions } from './database/data-source.js';
import { AgentSyncStateEntity } from './agents/agent-sync.entity.js';
import { AgentSyncFileEntity, AgentSyncRunEntity } from './agents/agent-sync-history.entity.js';
import { ApiKeyEntity } from './auth/api-key.entity.js';
import { CreditBalanceEntity } from './credits/credit-balance.entity.js';
import { CreditTransactionEntity } from './credits/credit-transaction.entity.js';
import { ExecutionEntity } from './executions/execution.entity.js';
import { NodeExecutionEntity } from './executions/node-execution.entity.js';
import { AiAgentConversationEntity } from './executions/ai-agent-conversation.entity.js';
import { DurableJobEntity } from './queue/durable-job.entity.js';
import { GraphTriggerEntity } from './graphs/graph-trigger.entity.js';
import { GraphVersionEntity } from './graphs/graph-version.entity.js';
import { GraphEntity } from './graphs/graph.entity.js';
import { PresetEntity } from './graphs/preset.entity.js';
import { CredentialEntity } from './integrations/credential.entity.js';
import { OAuthStateEntity } from './integrations/oauth-state.entity.js';
import { NotificationDeliveryEntity } from './notifications/notification-delivery.entity.js';
import { NotificationEntity } from './notifications/notification.entity.js';
import { ReviewTokenEntity } from './reviews/review-token.entity.js';
import { ReviewEntity } from './reviews/review.entity.js';
import { ScheduleFireEntity } from './triggers/schedule-fire.entity.js';
import { ScheduleEntity } from './triggers/schedule.entity.js';
import { WebhookDeliveryEntity } from './triggers/webhook-delivery.entity.js';
import { UserEntity } from './users/user.entity.js';
import { WaitEventEntity } from './wait-events/wait-event.entity.js';

export const ENTITIES = [
  UserEntity,
  ApiKeyEntity,
  GraphEntity,
  GraphVersionEntity,
  GraphTriggerEntity,
  PresetEntity,
  AgentSyncStateEntity,
  AgentSyncRunEntity,
  AgentSyncFileEntity,
  ExecutionEntity,
  NodeExecutionEntity,
  AiAgentConversationEntity,
  DurableJobEntity,
  WebhookDeliveryEntity,
  ScheduleEntity,
  ScheduleFireEntity,
  CreditBalanceEntity,
  CreditTransactionEntity,
  CredentialEntity,
  OAuthStateEntity,
  NotificationEntity,
  NotificationDeliveryEntity,
  ReviewEntity,
  ReviewTokenEntity,
  WaitEventEntity,
];

/** A DataSource over every entity (database/data-source.ts: pool, migrations, options). */
export function openDataSource(options: DataSourceOptions): DataSource {
  return createDataSource(ENTITIES, options);
}
