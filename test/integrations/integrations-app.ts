// The app of the credentials tests: like test/helpers/app.ts (a real Nest app over a database of its
// own), plus our real logger (with its redaction) writing into an array the test can search, a config
// folder of its own (for config/credentials.yaml), and the option to share a database between two
// apps (two processes of one cluster).
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap.js';
import { createLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { AppConfig } from '../../src/config/config.schema.js';
import type { TestApp } from '../helpers/app.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';

export const ADMIN_KEY = 'test-admin-key-integrations-0123456789';

export function newKey(): string {
  return randomBytes(32).toString('base64');
}

/** A config folder of its own: the project's default.yaml and test.yaml, plus credentials.yaml when given. Remove it after. */
export function makeConfigDir(credentialsYaml?: string): string {
  const configDir = mkdtempSync(join(tmpdir(), 'trellis-int-config-'));
  for (const file of ['default.yaml', 'test.yaml']) copyFileSync(join(process.cwd(), 'config', file), join(configDir, file));
  if (credentialsYaml) writeFileSync(join(configDir, 'credentials.yaml'), credentialsYaml);
  return configDir;
}

export interface IntegrationsAppOptions {
  label: string;
  /** Environment for the config loader (TRELLIS_ENCRYPTION_KEY is set to a fresh key unless given). */
  env?: Record<string, string>;
  overrides?: Record<string, unknown>;
  /** Text of config/credentials.yaml. */
  credentialsYaml?: string;
  /** Share this database (another app owns and drops it). */
  database?: TestDatabase;
}

export interface IntegrationsApp {
  app: NestExpressApplication;
  http: ReturnType<NestExpressApplication['getHttpServer']>;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  /** Every log line written, as JSON text. */
  logLines: string[];
  close(): Promise<void>;
}

export async function createIntegrationsApp(options: IntegrationsAppOptions): Promise<IntegrationsApp> {
  const ownsDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase(options.label));
  const configDir = makeConfigDir(options.credentialsYaml);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRELLIS_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: '',
    TRELLIS_CONFIG_DIR: configDir,
    TRELLIS_ADMIN_API_KEY: ADMIN_KEY,
    TRELLIS_ENCRYPTION_KEY: newKey(),
    LOG_LEVEL: 'trace',
    ...options.env,
  };
  const config = loadConfig({ env, overrides: options.overrides });
  const logLines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void logLines.push(line) });
  const dataSource = await connect(database.url);
  const app = await createHttpApp({ config, dataSource, logger, redis: null });
  // Listening once keeps one address for every request (supertest reuses it), as a browser sees a server.
  await app.listen(0, '127.0.0.1');
  let closed = false;
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource,
    database,
    logLines,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      rmSync(configDir, { recursive: true, force: true });
      if (ownsDatabase) await database.drop();
    },
  };
}

export interface MadeUser {
  id: string;
  handle: string;
  key: string;
}

/** A user made through the admin API, with its first API key (every scope of its role). */
export async function makeUser(http: IntegrationsApp['http'] | TestApp['http'], handle: string): Promise<MadeUser> {
  const res = await request(http).post('/api/admin/users').set('X-API-Key', ADMIN_KEY).send({ handle });
  if (res.status !== 201) throw new Error(`could not create user ${handle}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, handle, key: res.body.api_key.key };
}

/** Every row of every table, as text (`row::text`), for leak searches. */
export async function everyRowAsText(dataSource: DataSource): Promise<Array<{ table: string; row: string }>> {
  const tables: Array<{ table_name: string }> = await dataSource.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const rows: Array<{ table: string; row: string }> = [];
  for (const { table_name } of tables) {
    const found: Array<{ row: string }> = await dataSource.query(`SELECT t::text AS row FROM "${table_name}" t`);
    for (const { row } of found) rows.push({ table: table_name, row });
  }
  return rows;
}
