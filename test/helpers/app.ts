// The one app factory of the tests: a real Nest app (src/http-app.ts's createHttpApp, as `trellis start`
// builds it) over a database of its own (cloned template) or a shared one, optional real Redis with a
// prefix of its own, configuration overrides, and on request: rows seeded before start-up, a config folder
// with credentials.yaml, captured log lines, test-only modules or controllers, a listening server. sharedTestApp:
// one app per configuration for the files of a bundle that only read.
import { mkdtempSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/http-app.js';
import { createLogger } from '../../src/common/logger.js';
import { createRedis } from '../../src/common/redis.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { AppConfig } from '../../src/config/config.schema.js';
import { connect, createTestDatabase, type TestDatabase } from './database.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from './queue.js';
import { forgetSharedApp, sharedAcrossFiles, sharedApp } from './shared-apps.js';

/**
 * The admin key every test app has unless a test sets TRELLIS_ADMIN_API_KEY itself (to '' for none): with
 * no configured key, a start makes a first admin key and prints it to stdout, noise in every test run.
 */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestAppOptions {
  label?: string;
  /** Config keys as in config/*.yaml, e.g. `{ credits: { enabled: false } }`. */
  overrides?: Record<string, unknown>;
  /** Extra environment for the config loader (JWT_SECRET, TRELLIS_ADMIN_API_KEY, ...). */
  env?: Record<string, string>;
  /** Use the machine's Redis (BullMQ mode) under a prefix of its own. */
  redis?: boolean;
  role?: AppConfig['role'];
  /** Share this database (its owner drops it): another process of one cluster. */
  database?: TestDatabase;
  /** Share this queue prefix (its owner clears it): with `database`, another process of one cluster. */
  queuePrefix?: string;
  /** Rows written before start-up, as an upgrade finds them. */
  seed?: (dataSource: DataSource) => Promise<void>;
  /** Text of config/credentials.yaml: the app gets a config folder of its own (default.yaml, test.yaml, this). */
  credentialsYaml?: string;
  /** Keep every log line in `logLines`: through our logger (its redaction included) or plain pino. */
  captureLogs?: { level: string; logger: 'ours' | 'plain' };
  /** Test-only modules (a @Global provider, say) and controllers beside the application module. */
  modules?: Array<Type | DynamicModule>;
  controllers?: Type[];
  /** Listen on 127.0.0.1 (one address for every request, as a browser sees a server) instead of init only. */
  listen?: boolean;
  /**
   * Called once the database and configuration are chosen, before the app boots: server processes started here
   * (test/helpers/server-process.ts) boot on them while the app does, instead of after it.
   */
  beforeBoot?: (target: { database: TestDatabase; config: AppConfig }) => void;
}

export interface TestApp {
  app: NestExpressApplication;
  /** The HTTP server, for supertest: `request(t.http)`. */
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  redis: Redis | null;
  /** Every log line written, as JSON text (empty unless `captureLogs`). */
  logLines: string[];
  /** The log lines parsed. */
  logs(): Array<Record<string, unknown> & { msg?: string }>;
  close(): Promise<void>;
}

/** A config folder of its own: the project's default.yaml and test.yaml, plus credentials.yaml when given. */
export function makeConfigDir(credentialsYaml?: string): string {
  const configDir = mkdtempSync(join(tmpdir(), 'trellis-test-config-'));
  for (const file of ['default.yaml', 'test.yaml']) copyFileSync(join(process.cwd(), 'config', file), join(configDir, file));
  if (credentialsYaml) writeFileSync(join(configDir, 'credentials.yaml'), credentialsYaml);
  return configDir;
}

function testLogger(logLines: string[], capture: TestAppOptions['captureLogs']): Logger {
  if (!capture) return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const destination = { write: (line: string) => void logLines.push(line) };
  return capture.logger === 'ours' ? createLogger(capture.level, destination) : pino({ level: capture.level }, destination);
}

function rootWith(modules: TestAppOptions['modules'] = [], controllers: Type[] = []): ((app: DynamicModule) => DynamicModule) | undefined {
  if (modules.length === 0 && controllers.length === 0) return undefined;
  @Module({})
  class TestRootModule {}
  return (app) => ({ module: TestRootModule, imports: [...modules, app], controllers });
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const label = options.label ?? 'app';
  const ownsDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase(label));
  const configDir = options.credentialsYaml === undefined ? null : makeConfigDir(options.credentialsYaml);
  const prefix = options.queuePrefix ?? testQueuePrefix(label);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRELLIS_ENV: 'test',
    DATABASE_URL: database.url,
    TRELLIS_QUEUE_PREFIX: prefix,
    TRELLIS_ADMIN_API_KEY: TEST_ADMIN_KEY,
    ...(options.redis ? { REDIS_URL: TEST_REDIS_URL } : { REDIS_URL: '' }),
    ...(options.role ? { TRELLIS_ROLE: options.role } : {}),
    ...(configDir ? { TRELLIS_CONFIG_DIR: configDir } : {}),
    ...options.env,
  };
  const config = loadConfig({ env, overrides: options.overrides });
  options.beforeBoot?.({ database, config });
  const logLines: string[] = [];
  const logger = testLogger(logLines, options.captureLogs);
  const dataSource = await connect(database.url);
  if (options.seed) await options.seed(dataSource);
  const redis = config.redisUrl ? createRedis(config.redisUrl) : null;
  const app = await createHttpApp({ config, dataSource, logger, redis }, rootWith(options.modules, options.controllers));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await app.close();
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      if (redis) {
        redis.disconnect();
        if (!options.queuePrefix) await clearQueuePrefix(prefix);
      }
      if (configDir) rmSync(configDir, { recursive: true, force: true });
      if (ownsDatabase) await database.drop();
    }
  };
  try {
    if (options.listen) await app.listen(0, '127.0.0.1');
    else await app.init();
  } catch (error) {
    // A start that fails (a test expecting it to) has started some hosts already (a queue consumer, timers): closed
    // here, or they would go on polling the database after the test file ended ("import after the Jest environment
    // has been torn down"), in the jest worker that runs the next files.
    await close().catch(() => undefined);
    throw error;
  }
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource,
    database,
    redis,
    logLines,
    logs: () => logLines.map((line) => JSON.parse(line) as Record<string, unknown> & { msg?: string }),
    close,
  };
}

/** What a shared app may differ by: its configuration, nothing that is the business of one file. */
export type SharedTestAppOptions = Pick<TestAppOptions, 'overrides' | 'env' | 'redis' | 'role'>;

/**
 * One booted app per configuration for every file of a bundle (test/helpers/shared-apps.ts): for files that only
 * read, or write only rows no other file looks at. Its close() closes it when the file runs alone, and leaves it
 * to the bundle's end in a bundle. Its database and queue prefix are shared: never count or list rows you did not make.
 */
export async function sharedTestApp(options: SharedTestAppOptions = {}): Promise<TestApp> {
  const key = JSON.stringify(options);
  const app = await sharedApp(key, () => createTestApp({ ...options, label: 'shared' }));
  return {
    ...app,
    async close() {
      if (sharedAcrossFiles()) return;
      forgetSharedApp(key);
      await app.close();
    },
  };
}
