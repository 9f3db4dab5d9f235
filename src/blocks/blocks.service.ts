// Running one block on request (POST /api/blocks/{id}/execute): resolve its credentials, build a
// context with the outbound HTTP client, and run it with the node time limit.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { SecretScrubber } from '../common/secret-scrubber.js';
import { scrubbingLogger, scrubError } from '../common/scrubbing-logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BLOCK_RUN_CHARGE, type BlockRunCharge } from '../credits/block-run.charge.js';
import type { AppConfig } from '../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { adHocContext, blockSettings } from './block-context.js';
import type { BlockRuntimeSettings } from './block.types.js';
import { answerTooLarge, needsEngine } from './blocks.errors.js';
import { BlocksRegistry, type BlockDescription } from './blocks.registry.js';
import { CREDENTIAL_RESOLVER, unresolved, type CredentialResolver } from './credential-resolver.js';
import { mayUseBlock, type CredentialAsker } from './credential-policy.js';
import { shutdownSandboxes } from '../sandbox/sandbox.js';
import { OutboundHttp } from './outbound/outbound-http.js';
import { runBlock } from './run-block.js';

/** The JSON size of `value` in bytes, or a number above `limit` once it is clearly larger (long text is not serialised). */
export function jsonBytesUpTo(value: unknown, limit: number): number {
  if (typeof value === 'string' && value.length > limit) return value.length;
  const json = JSON.stringify(value);
  return json === undefined ? 4 : Buffer.byteLength(json, 'utf8');
}

export interface ExecuteBlockRequest {
  inputs: Record<string, unknown>;
  credentials: Record<string, string>;
}

export interface ExecuteBlockResult {
  outputs: Array<{ pin: string; value: unknown }>;
}

@Injectable()
export class BlocksService implements OnModuleDestroy {
  private readonly settings: BlockRuntimeSettings;
  private readonly http: OutboundHttp;
  constructor(
    private readonly registry: BlocksRegistry,
    @Inject(CREDENTIAL_RESOLVER) private readonly resolver: CredentialResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    metrics: MetricsService,
    @Optional() @Inject(BLOCK_RUN_CHARGE) private readonly charge: BlockRunCharge | null = null,
  ) {
    this.settings = blockSettings(config);
    this.http = OutboundHttp.fromSettings(this.settings, { onRefused: (reason) => metrics.outboundRefusals.inc({ reason }) });
  }

  /** The blocks `asker` may use: an integration's only where its `allow` admits them (admins: by default all). */
  list(asker: CredentialAsker): BlockDescription[] {
    return this.registry
      .list()
      .filter((block) => mayUseBlock(block, asker, false))
      .map((block) => this.registry.describe(block));
  }

  /** One block; one `asker` may not use answers 404 exactly like one that does not exist. */
  describe(id: string, asker: CredentialAsker): BlockDescription {
    return this.registry.describe(this.registry.require(id, (block) => mayUseBlock(block, asker, false)));
  }

  /** Runs the block once for `asker`; fails with the block's error code (see BlocksController). */
  async execute(id: string, request: ExecuteBlockRequest, asker: CredentialAsker & { userId: string }, signal: AbortSignal): Promise<ExecuteBlockResult> {
    const userId = asker.userId;
    const block = this.registry.require(id, (candidate) => mayUseBlock(candidate, asker, false));
    if (block.suspend !== undefined && block.suspend !== 'delay') throw needsEngine(block.id);
    // The caller is a user, never a file agent: operator credentials by allow.users / allow.roles only.
    const { credentials, problems, systemDefaults } = await this.resolver.resolve({ block, names: request.credentials, userId });
    if (problems.length) throw unresolved(block.id, problems);
    // The caller pays the block's cost just before it runs (402 INSUFFICIENT_CREDITS when it does not fit).
    await this.charge?.charge(userId, block.id, this.registry.costOf(block, request.inputs));
    // Whatever the run answers, logs or fails with carries `[secret:<name>]`, never a resolved secret.
    const scrubber = SecretScrubber.of(Object.values(credentials));
    const context = adHocContext({
      runId: `block-run-${randomUUID()}`,
      blockId: block.id,
      userId,
      credentials,
      ...(systemDefaults ? { systemDefaults } : {}),
      signal,
      logger: scrubbingLogger(this.logger, scrubber),
      http: this.http.client(signal),
      settings: this.settings,
    });
    // The answer is bounded like a node's values: past executor.max_value_bytes in all, the run stops (413).
    const maxBytes = this.config.executor.max_value_bytes;
    let answerBytes = 0;
    try {
      const { outputs } = await runBlock(block, request.inputs, context, {
        timeoutMs: this.config.executor.node_timeout,
        bindHttp: (attemptSignal) => this.http.client(attemptSignal),
        onYield: (pin, value) => {
          answerBytes += jsonBytesUpTo(value, maxBytes - answerBytes + 1);
          if (answerBytes > maxBytes) throw answerTooLarge(block.id, pin, maxBytes);
        },
      });
      return { outputs: outputs.map(([pin, value]) => ({ pin, value: scrubber.value(value) })) };
    } catch (error) {
      throw error instanceof Error ? scrubError(error, scrubber) : scrubber.value(error);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await shutdownSandboxes();
  }
}
