// An app started over a database that already holds release-1 rows (seeded before start-up, as an upgrade
// finds them), with a logger whose lines the test reads (`t.logs()`): for the start-up steps of release 2.
import type { DataSource } from 'typeorm';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

export type UpgradedApp = TestApp;

export function startOnSeededDatabase(
  label: string,
  seed: (dataSource: DataSource) => Promise<void>,
  options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {},
): Promise<UpgradedApp> {
  return createTestApp({
    label,
    seed,
    env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, ...options.env },
    ...(options.overrides ? { overrides: options.overrides } : {}),
    captureLogs: { level: 'info', logger: 'plain' },
  });
}

/** A user row as release 1 wrote it (with its credit account). */
export async function seedUser(dataSource: DataSource, id: string, role: 'admin' | 'user'): Promise<void> {
  await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ($1, $1, $2)`, [id, role]);
  await dataSource.query(`INSERT INTO credit_balances (user_id, balance) VALUES ($1, 1000)`, [id]).catch(() => undefined);
}

/** An API graph as release 1 stored it: graph, version 1 and its trigger rows, never validated by release 2. */
export async function seedApiGraph(
  dataSource: DataSource,
  id: string,
  createdBy: string,
  definition: Record<string, unknown>,
  triggers: Array<{ node: string; block: string; config: Record<string, unknown> }>,
): Promise<void> {
  await dataSource.query(
    `INSERT INTO graphs (id, source, owner_id, created_by, active, active_version, latest_version) VALUES ($1, 'api', $2, $2, true, 1, 1)`,
    [id, createdBy],
  );
  await dataSource.query(`INSERT INTO graph_versions (graph_id, version, definition, hash, created_by) VALUES ($1, 1, $2, $3, $4)`, [
    id,
    JSON.stringify({ name: id, ...definition }),
    `hash-${id}`,
    createdBy,
  ]);
  for (const t of triggers) {
    await dataSource.query(`INSERT INTO graph_triggers (graph_id, version, node_id, block, config) VALUES ($1, 1, $2, $3, $4)`, [
      id,
      t.node,
      t.block,
      JSON.stringify(t.config),
    ]);
  }
}
