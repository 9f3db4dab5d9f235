// Every migration, oldest first. A new migration is one file here and one line in this list.
import { InitialSchema1795320551026 } from './1795320551026-InitialSchema.js';
import { NodeResumes1796610070626 } from './1796610070626-NodeResumes.js';
import { TenancyScopes1796610173621 } from './1796610173621-TenancyScopes.js';
import { OperatorCredentials1796610497750 } from './1796610497750-OperatorCredentials.js';
import { ExecutionVars1796622112832 } from './1796622112832-ExecutionVars.js';
import { Suspensions1796622743732 } from './1796622743732-Suspensions.js';
import { AiAgentConversations1796700000000 } from './1796700000000-AiAgentConversations.js';
import { RetryFromFailure1796800000000 } from './1796800000000-RetryFromFailure.js';
import { ToolReviews1796830000000 } from './1796830000000-ToolReviews.js';
import { IntegrationVersions1796840000000 } from './1796840000000-IntegrationVersions.js';
import { AgentSyncHistory1796850000000 } from './1796850000000-AgentSyncHistory.js';
import { WebhookReplayHeaders1796870000000 } from './1796870000000-WebhookReplayHeaders.js';
import { AgentCallCharges1796890000000 } from './1796890000000-AgentCallCharges.js';

export const MIGRATIONS: Function[] = [
  InitialSchema1795320551026,
  NodeResumes1796610070626,
  TenancyScopes1796610173621,
  OperatorCredentials1796610497750,
  ExecutionVars1796622112832,
  Suspensions1796622743732,
  AiAgentConversations1796700000000,
  RetryFromFailure1796800000000,
  ToolReviews1796830000000,
  IntegrationVersions1796840000000,
  AgentSyncHistory1796850000000,
  WebhookReplayHeaders1796870000000,
  AgentCallCharges1796890000000,
];
