// The Nest application of a server and of the test app factory: our middleware, the WebSocket adapter and the
// OpenAPI document around the application module. A file of its own so that `trellis start` loads this graph (most
// of a start's CPU) while its database starts, and only once that database is starting: a start that cannot have
// the database says so at once.
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { PinoNestLogger } from './common/logger.js';
import { finishOpenApiDocument } from './common/openapi-document.js';
import { requestIdMiddleware } from './common/request-id.middleware.js';
import { storableRequestMiddleware } from './common/storable-body.middleware.js';
import type { AppConfig } from './config/config.schema.js';
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
