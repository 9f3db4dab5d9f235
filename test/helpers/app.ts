// The app factory for supertest: a real Nest app over a database of its own (cloned template),
// optional real Redis with a prefix of its own, and configuration overrides per test file.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap.js';
import { createRedis } from '../../src/common/redis.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { AppConfig } from '../../src/config/config.schema.js';
import { connect, createTestDatabase, type TestDatabase } from './database.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from './queue.js';

export interface TestAppOptions {
  label?: string;
  /** Config keys as in config/*.yaml, e.g. `{ credits: { enabled: false } }`. */
  overrides?: Record<string, unknown>;
  /** Extra environment for the config loader (JWT_SECRET, TRELLIS_ADMIN_API_KEY, ...). */
  env?: Record<string, string>;
  /** Use the machine's Redis (BullMQ mode) under a prefix of its own. */
  redis?: boolean;
  role?: AppConfig['role'];
}

export interface TestApp {
  app: NestExpressApplication;
  /** The HTTP server, for supertest: `request(t.http)`. */
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  redis: Redis | null;
  close(): Promise<void>;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(options.label ?? 'app');
  const prefix = testQueuePrefix(options.label ?? 'app');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRELLIS_ENV: 'test',
    DATABASE_URL: database.url,
    TRELLIS_QUEUE_PREFIX: prefix,
    ...(options.redis ? { REDIS_URL: TEST_REDIS_URL } : { REDIS_URL: '' }),
    ...(options.role ? { TRELLIS_ROLE: options.role } : {}),
    ...options.env,
  };
  const config = loadConfig({ env, overrides: options.overrides });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const dataSource = await connect(database.url);
  const redis = config.redisUrl ? createRedis(config.redisUrl) : null;
  const app = await createHttpApp({ config, dataSource, logger, redis });
  await app.init();
  let closed = false;
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource,
    database,
    redis,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      if (redis) {
        redis.disconnect();
        await clearQueuePrefix(prefix);
      }
      await database.drop();
    },
  };
}
