// Start-up: config, logger, database (embedded or DATABASE_URL), migrations, Redis, then Nest. The database
// starts first and, while its process boots, this process loads the Nest application (http-app.ts, most of a
// start's CPU), so neither waits for the other; a database that cannot start (another server holds the embedded
// one) says so before Nest loads. Shared by `npm start` and `trellis start`; the test app factory builds the same
// Nest application with createHttpApp, so they cannot drift apart.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createLogger } from './common/root-logger.js';
import { loadConfig } from './config/config.loader.js';
import type { AppConfig } from './config/config.schema.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded.js';
import { runMigrations } from './database/migrate.js';

export interface RunningServer {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  role?: AppConfig['role'];
  config?: AppConfig;
}

/** The whole start: fail fast on config, then database, migrations, Redis and the HTTP server. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  if (options.role) config.role = options.role;
  const logger = createLogger(config.logging.level);
  let databaseStarting!: () => void;
  const starting = new Promise<void>((resolve) => (databaseStarting = resolve));
  const database = openDatabase(config, logger, databaseStarting);
  database.catch(() => undefined); // awaited below: a failure while the modules load is not an unhandled rejection
  await Promise.race([starting, database]); // an embedded database that cannot start (busy) fails before Nest loads
  const { createHttpApp } = await import('./http-app.js');
  const { dataSource, embedded } = await database;
  const redis = config.redisUrl ? (await import('./common/redis.js')).createRedis(config.redisUrl) : null;

  const app = await createHttpApp({ config, dataSource, logger, redis });
  await app.listen(config.server.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info(
    {
      role: config.role,
      env: config.env,
      port,
      database: embedded ? `embedded Postgres in ${config.dataDir}/postgres` : 'DATABASE_URL',
      dispatch: redis ? `BullMQ on REDIS_URL (prefix "${config.queuePrefix}")` : 'in-process',
    },
    `Trellis is listening on ${url} as role "${config.role}". ` +
      (embedded ? 'Database: embedded Postgres (set DATABASE_URL to use your own). ' : 'Database: DATABASE_URL. ') +
      (redis
        ? 'Dispatch: BullMQ on Redis; start more workers with TRELLIS_ROLE=worker.'
        : 'Dispatch: in-process (set REDIS_URL to run several api and worker processes).'),
  );

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    if (redis) redis.disconnect();
    if (dataSource.isInitialized) await dataSource.destroy();
    if (embedded) await embedded.stop();
  };
  // Ctrl-C or SIGTERM: the app first (requests, executors, sockets), then the database it was using. The
  // embedded Postgres runs in a process group of its own, so a terminal's Ctrl-C does not stop it under
  // the app. Repeats are ignored while closing: `npm start` forwards the terminal's SIGINT a second time.
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: closing the app, then the database');
    close()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { app, config, url, close };
}

/**
 * The database, initialised and migrated: the embedded Postgres (started, or shared) unless DATABASE_URL is
 * set. `starting` is called as soon as the database's process runs (at once for DATABASE_URL).
 */
async function openDatabase(config: AppConfig, logger: Logger, starting: () => void): Promise<{ dataSource: DataSource; embedded: EmbeddedDatabase | null }> {
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl) starting();
  else {
    embedded = await startEmbeddedPostgres(config, logger, {
      busyHint: 'Stop the other server first, or give this one a database of its own (DATABASE_URL, or TRELLIS_DATA_DIR for another folder).',
      onStarting: starting,
    });
    databaseUrl = embedded.url;
  }
  const { openDataSource } = await import('./entities.js');
  const dataSource = openDataSource({ url: databaseUrl, applicationName: `trellis-${config.role}` });
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  return { dataSource, embedded };
}
