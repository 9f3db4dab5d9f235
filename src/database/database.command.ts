import type { Command } from 'commander';
import { loadConfig } from '../config/config.loader.js';
import { createLogger } from '../common/logger.js';
import type { OpenDataSource } from './data-source.js';
import { startEmbeddedPostgres } from './embedded.js';
import { runMigrations } from './migrate.js';

/** `trellis migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
export function registerDatabaseCommands(program: Command, openDataSource: OpenDataSource): void {
  program
    .command('migrate')
    .description('run database migrations')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logging.level);
      const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config, logger, { share: true });
      const dataSource = openDataSource({ url: config.databaseUrl ?? embedded!.url, poolSize: 2 });
      await dataSource.initialize();
      try {
        const applied = await runMigrations(dataSource);
        console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await dataSource.destroy();
        await embedded?.stop();
      }
    });
}
