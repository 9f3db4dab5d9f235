import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { BlocksRegistry } from './blocks.registry.js';
import { BlocksService } from './blocks.service.js';
import { BLOCK_LIBRARY } from './library/index.js';

/**
 * The block registry (checked at start-up: a bad library or costs.yaml stops the start) and running
 * single blocks. Credentials resolve through CREDENTIAL_RESOLVER, a port of blocks that the global
 * IntegrationsModule (above blocks) provides: the user's own, then config/credentials.yaml, then system
 * defaults. Every role loads it.
 */
@Module({
  providers: [
    { provide: BlocksRegistry, useFactory: (config: AppConfig) => new BlocksRegistry(BLOCK_LIBRARY, config.costs), inject: [APP_CONFIG] },
    BlocksService,
  ],
  exports: [BlocksRegistry, BlocksService],
})
export class BlocksModule {}
