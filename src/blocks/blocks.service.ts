// Running one block on request (POST /api/blocks/{id}/execute): resolve its credentials, build a
// context with the outbound HTTP client, and run it with the node time limit.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import { BLOCK_RUN_CHARGE, type BlockRunCharge } from '../credits/block-run.charge.js';
import type { AppConfig } from '../config/config.schema.js';
import { adHocContext, blockSettings } from './block-context.js';
import type { BlockRuntimeSettings } from './block.types.js';
import { BlocksRegistry, type BlockDescription } from './blocks.registry.js';
import { CREDENTIAL_RESOLVER, resolveCredentialsOrThrow, type CredentialResolver } from './credential-resolver.js';
import { shutdownSandboxes } from '../sandbox/sandbox.js';
import { OutboundHttp } from './outbound/outbound-http.js';
import { runBlock } from './run-block.js';

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
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(BLOCK_RUN_CHARGE) private readonly charge: BlockRunCharge | null = null,
  ) {
    this.settings = blockSettings(config);
    this.http = OutboundHttp.fromSettings(this.settings);
  }

  list(): BlockDescription[] {
    return this.registry.list().map((block) => this.registry.describe(block));
  }

  describe(id: string): BlockDescription {
    return this.registry.describe(this.registry.require(id));
  }

  /** Runs the block once for `userId`; fails with the block's error code (see BlocksController). */
  async execute(id: string, request: ExecuteBlockRequest, userId: string, signal: AbortSignal): Promise<ExecuteBlockResult> {
    const block = this.registry.require(id);
    const credentials = await resolveCredentialsOrThrow(this.resolver, { block, names: request.credentials, userId });
    // The caller pays the block's cost just before it runs (402 INSUFFICIENT_CREDITS when it does not fit).
    await this.charge?.charge(userId, block.id, this.registry.costOf(block, request.inputs));
    const context = adHocContext({
      runId: `block-run-${randomUUID()}`,
      blockId: block.id,
      userId,
      credentials,
      signal,
      logger: this.logger,
      http: this.http.client(signal),
      settings: this.settings,
    });
    const { outputs } = await runBlock(block, request.inputs, context, {
      timeoutMs: this.config.executor.node_timeout,
      bindHttp: (attemptSignal) => this.http.client(attemptSignal),
    });
    return { outputs: outputs.map(([pin, value]) => ({ pin, value })) };
  }

  async onModuleDestroy(): Promise<void> {
    await shutdownSandboxes();
  }
}
