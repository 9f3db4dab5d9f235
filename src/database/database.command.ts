// `trellis migrate`. Registering it loads nothing but commander; the action loads config, the embedded
// database and the migrations when it runs (so `trellis --help` stays instant).
import type { Command } from 'commander';
import type { OpenDataSource } from './data-source.js';

/** `trellis migrate`: apply pending migrations to DATABASE_URL (or the embedded database). */
export function registerDatabaseCommands(program: Command, openDataSource: OpenDataSource): void {
  program
    .command('migrate')
    .description('run database migrations')
    .action(async () => {
      const { loadConfig } = await import('../config/config.loader.js');
      const { createLogger } = await import('../common/logger.js');
      const { startEmbeddedPostgres } = await import('./embedded.js');
      const { runMigrations } = await import('./migrate.js');
      const config = loadConfig();
      const logger = createLogger(config.logging.level);
      const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config, logger, { share: true });
      const dataSource = await openDataSource({ url: config.databaseUrl ?? embedded!.url, poolSize: 2 });
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
