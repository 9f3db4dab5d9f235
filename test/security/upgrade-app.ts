// An app started over a database that already holds release-1 rows (seeded before start-up, as an upgrade
// finds them), with a logger whose lines the test reads: for the start-up steps of release 2.
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import type { TestApp } from '../helpers/app.js';
import { connect, createTestDatabase } from '../helpers/database.js';
import { testQueuePrefix } from '../helpers/queue.js';

export interface UpgradedApp extends TestApp {
  logLines: Array<Record<string, unknown> & { msg?: string }>;
}

export async function startOnSeededDatabase(label: string, seed: (dataSource: DataSource) => Promise<void>, options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {}): Promise<UpgradedApp> {
  const database = await createTestDatabase(label);
  const dataSource = await connect(database.url);
  await seed(dataSource);
  const config = loadConfig({
    env: { ...process.env, TRELLIS_ENV: 'test', DATABASE_URL: database.url, REDIS_URL: '', TRELLIS_QUEUE_PREFIX: testQueuePrefix(label), TRELLIS_ADMIN_API_KEY: ADMIN_KEY, ...options.env },
    overrides: options.overrides,
  });
  const logLines: UpgradedApp['logLines'] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = await createHttpApp({ config, dataSource, logger, redis: null });
  await app.init();
  let closed = false;
  return {
    app,
    http: app.getHttpServer(),
    config,
    dataSource,
    database,
    redis: null,
    logLines,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A user row as release 1 wrote it (with its credit account). */
export async function seedUser(dataSource: DataSource, id: string, role: 'admin' | 'user'): Promise<void> {
  await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ($1, $1, $2)`, [id, role]);
  await dataSource.query(`INSERT INTO credit_balances (user_id, balance) VALUES ($1, 1000)`, [id]).catch(() => undefined);
}

/** An API graph as release 1 stored it: graph, version 1 and its trigger rows, never validated by release 2. */
export async function seedApiGraph(dataSource: DataSource, id: string, createdBy: string, definition: Record<string, unknown>, triggers: Array<{ node: string; block: string; config: Record<string, unknown> }>): Promise<void> {
  await dataSource.query(`INSERT INTO graphs (id, source, owner_id, created_by, active, active_version, latest_version) VALUES ($1, 'api', $2, $2, true, 1, 1)`, [id, createdBy]);
  await dataSource.query(`INSERT INTO graph_versions (graph_id, version, definition, hash, created_by) VALUES ($1, 1, $2, $3, $4)`, [id, JSON.stringify({ name: id, ...definition }), `hash-${id}`, createdBy]);
  for (const t of triggers) {
    await dataSource.query(`INSERT INTO graph_triggers (graph_id, version, node_id, block, config) VALUES ($1, 1, $2, $3, $4)`, [id, t.node, t.block, JSON.stringify(t.config)]);
  }
}
