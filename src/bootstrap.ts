// Start-up: config, logger, database (embedded or DATABASE_URL), migrations, Redis, then Nest.
// Shared by `npm start`, `trellis start` and the test app factory, so they cannot drift apart.
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { createLogger, PinoNestLogger } from './common/logger.js';
import { finishOpenApiDocument } from './common/openapi-document.js';
import { createRedis } from './common/redis.js';
import { requestIdMiddleware } from './common/request-id.middleware.js';
import { storableRequestMiddleware } from './common/storable-body.middleware.js';
import { loadConfig } from './config/config.loader.js';
import type { AppConfig } from './config/config.schema.js';
import { openDataSource } from './entities.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded.js';
import { runMigrations } from './database/migrate.js';
import { mountWebhookBodyParsers } from './triggers/webhooks/webhook-body.parsers.js';
import { mountWebhookRoute } from './triggers/webhooks/webhook-route.js';

export interface HttpAppParts {
  config: AppConfig;
  dataSource: DataSource;
  logger: Logger;
  redis: Redis | null;
}

/**
 * Builds the Nest application (not yet listening) with our middleware, filter and OpenAPI. `root` may wrap
 * the application module (the tests' seam: test-only modules and controllers beside it).
 */
export async function createHttpApp(parts: HttpAppParts, root: (app: DynamicModule) => DynamicModule = (app) => app): Promise<NestExpressApplication> {
  const { config, logger } = parts;
  const app = await NestFactory.create<NestExpressApplication>(root(AppModule.forRoot(parts)), {
    logger: new PinoNestLogger(logger),
    rawBody: true,
    bodyParser: true,
    abortOnError: false,
  });
  app.set('trust proxy', config.server.trust_proxy);
  app.disable('x-powered-by');
  app.use(requestIdMiddleware(logger));
  mountWebhookRoute(app, config, logger);
  mountWebhookBodyParsers(app, config); // before the JSON parser: webhooks need their raw bytes
  app.useBodyParser('json', { limit: config.server.body_limit });
  app.use(storableRequestMiddleware(config.limits.max_json_depth)); // after the parsers: U+0000 and deep nesting are 400s
  app.useWebSocketAdapter(new WsAdapter(app));
  if (config.role !== 'worker') mountOpenApi(app);
  return app;
}

export function buildOpenApiDocument(app: NestExpressApplication) {
  const document = new DocumentBuilder()
    .setTitle('Trellis')
    .setDescription('Agents as code: graphs, executions, blocks, triggers, credits, credentials and notifications.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A JWT, or an API key (trl_...)' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api_key')
    .build();
  // No document-wide security: /api controllers declare theirs (ApiAuthenticated); webhooks and health have none.
  return finishOpenApiDocument(SwaggerModule.createDocument(app, document));
}

function mountOpenApi(app: NestExpressApplication): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
  });
}

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
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config, logger, {
      busyHint: 'Stop the other server first, or give this one a database of its own (DATABASE_URL, or TRELLIS_DATA_DIR for another folder).',
    });
    databaseUrl = embedded.url;
  }
  const dataSource = openDataSource({ url: databaseUrl, applicationName: `trellis-${config.role}` });
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const redis = config.redisUrl ? createRedis(config.redisUrl) : null;

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
