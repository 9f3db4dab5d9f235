import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { BlocksRegistry } from './blocks.registry.js';
import { IntegrationAwareRegistry, loadIntegrationCatalog } from './integrations/integration-blocks.js';
import { BlocksService } from './blocks.service.js';
import { libraryCheckedByBuild } from './library/block-manifest.js';
import { BLOCK_LIBRARY } from './library/index.js';

/**
 * The block registry (checked at start-up: a bad library or costs.yaml stops the start; the library's schemas
 * were compiled by the build that wrote dist/, else they are compiled here) and running
 * single blocks. Credentials resolve through CREDENTIAL_RESOLVER, a port of blocks that the global
 * IntegrationsModule (above blocks) provides: the user's own, then config/credentials.yaml, then system
 * defaults. Every role loads it.
 */
@Module({
  providers: [
    {
      provide: BlocksRegistry,
      // The library plus one block per operation of the integrations folder; a broken integration is logged and skipped.
      useFactory: async (config: AppConfig, logger: Logger) => {
        const catalog = await loadIntegrationCatalog(config.integrationsDir, BLOCK_LIBRARY);
        const log = logger.child({ component: 'IntegrationBlocks' });
        for (const problem of catalog.problems)
          log.error({ file: problem.file, line: problem.line, column: problem.column }, `integration skipped: ${problem.message}`);
        if (catalog.integrations.length)
          log.info({ integrations: catalog.integrations.map((i) => i.file.name), blocks: catalog.blocks.length }, 'integrations loaded');
        return new IntegrationAwareRegistry(BLOCK_LIBRARY, catalog, config.costs, { compileSchemas: !(await libraryCheckedByBuild(BLOCK_LIBRARY)) });
      },
      inject: [APP_CONFIG, LOGGER],
    },
    BlocksService,
  ],
  exports: [BlocksRegistry, BlocksService],
})
export class BlocksModule {}
