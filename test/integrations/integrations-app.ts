// The app of the credentials tests: the test app (test/helpers/app.ts) with our real logger (with its
// redaction) writing into an array the test can search, a config folder of its own (for
// config/credentials.yaml), listening, and the option to share a database between two apps (two processes
// of one cluster).
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createTestApp, makeConfigDir, type TestApp } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';

export { makeConfigDir };

export const ADMIN_KEY = 'test-admin-key-integrations-0123456789';

export function newKey(): string {
  return randomBytes(32).toString('base64');
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

export type IntegrationsApp = TestApp;

export function createIntegrationsApp(options: IntegrationsAppOptions): Promise<IntegrationsApp> {
  return createTestApp({
    label: options.label,
    ...(options.database ? { database: options.database } : {}),
    credentialsYaml: options.credentialsYaml ?? '',
    env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_ENCRYPTION_KEY: newKey(), LOG_LEVEL: 'trace', ...options.env },
    ...(options.overrides ? { overrides: options.overrides } : {}),
    captureLogs: { level: 'trace', logger: 'ours' },
    listen: true,
  });
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
