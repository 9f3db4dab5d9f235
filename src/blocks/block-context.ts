// What a block run gets from the server: the settings it reads from config, and a BlockContext for
// a run outside an execution (POST /api/blocks/{id}/execute).
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.schema.js';
import type { BlockContext, BlockHttpClient, BlockRuntimeSettings, ResolvedCredential } from './block.types.js';

/** The narrow view of the configuration blocks read (base URLs, outbound limits). */
export function blockSettings(config: AppConfig): BlockRuntimeSettings {
  return {
    ...(config.integrations.github.base_url ? { githubBaseUrl: config.integrations.github.base_url } : {}),
    ...(config.integrations.openai.base_url ? { openaiBaseUrl: config.integrations.openai.base_url } : {}),
    ...(config.integrations.anthropic.base_url ? { anthropicBaseUrl: config.integrations.anthropic.base_url } : {}),
    allowPrivateAddresses: config.http.allow_private_addresses,
    maxResponseBytes: config.http.max_response_bytes,
    aiAgentMaxResultBytes: config.ai_agent.max_result_bytes,
    sandbox: {
      workers: config.sandbox.workers,
      timeoutMs: config.sandbox.timeout,
      memoryBytes: config.sandbox.memory,
      maxValueBytes: config.executor.max_value_bytes,
    },
  };
}

export interface AdHocContextParts {
  runId: string;
  blockId: string;
  userId: string;
  credentials: Record<string, ResolvedCredential>;
  systemDefaults?: Record<string, ResolvedCredential>;
  signal: AbortSignal;
  logger: Logger;
  http: BlockHttpClient;
  settings: BlockRuntimeSettings;
}

/** The context of a single block run with no execution around it: the run id stands in for both ids. */
export function adHocContext(parts: AdHocContextParts): BlockContext {
  return {
    executionId: parts.runId,
    nodeId: parts.blockId,
    nodeExecutionId: parts.runId,
    userId: parts.userId,
    credentials: parts.credentials,
    ...(parts.systemDefaults ? { systemDefaults: parts.systemDefaults } : {}),
    signal: parts.signal,
    logger: parts.logger.child({ block: parts.blockId, run_id: parts.runId }),
    http: parts.http,
    settings: parts.settings,
    attempt: 1,
  };
}
