// A fresh database per test file: cloned from a migrated template (made once per run by global-setup),
// so each file starts from an empty, fully migrated schema in ~100 ms without touching the others.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../src/entities.js';
import { runMigrations } from '../../src/database/migrate.js';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MIGRATIONS_DIR = join(process.cwd(), 'migrations');
/** Advisory lock that serialises building the template between test workers. */
const TEMPLATE_LOCK = 7_412_300_099;

/**
 * The template's name carries a hash of the migration files, so a run reuses the template an earlier
 * run built from the same migrations, and any change to a migration builds a new one.
 */
export function templateDatabaseName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  return `trellis_tpl_${hash.digest('hex').slice(0, 16)}`;
}

let templateReady: Promise<string> | null = null;

/** Builds the migrated template once (under an advisory lock across workers), then reuses it. */
export function ensureTemplate(): Promise<string> {
  templateReady ??= (async () => {
    const name = templateDatabaseName();
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_build`;
        await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${building}`);
        const dataSource = openDataSource({ url: databaseUrl(building), poolSize: 2 });
        await dataSource.initialize();
        try {
          await runMigrations(dataSource);
        } finally {
          await dataSource.destroy();
        }
        await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
        await dropUnusedTemplates(client, name);
      }
      await client.query(`COMMENT ON DATABASE ${name} IS '${TEMPLATE_USED} ${Math.floor(Date.now() / 1000)}'`);
      return name;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
      await client.end();
    }
  })();
  return templateReady;
}

/** The comment on a template database: when a test run last took it (seconds since the epoch). */
const TEMPLATE_USED = 'trellis test template, last used';
const TEMPLATE_IDLE_S = 3600;

/**
 * Templates of other migrations are dropped once no run has taken them for an hour: another checkout (a second
 * branch, a helper's worktree) may be testing against the same server with its own migrations right now, and
 * dropping its template would fail every database it clones after that.
 */
async function dropUnusedTemplates(client: pg.Client, keep: string): Promise<void> {
  const others = await client.query<{ datname: string; used: string | null }>(
    "SELECT datname, shobj_description(oid, 'pg_database') AS used FROM pg_database WHERE datname LIKE 'trellis\\_tpl\\_%' AND datname <> $1",
    [keep],
  );
  const now = Date.now() / 1000;
  for (const { datname, used } of others.rows) {
    const at = used?.startsWith(TEMPLATE_USED) ? Number(used.slice(TEMPLATE_USED.length)) : 0;
    if (now - at > TEMPLATE_IDLE_S) await client.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/**
 * `trellis_t_<label>_<created, base-36 seconds>_<random>`: the creation time lets test/global-setup.js drop only
 * the leftovers of old runs, never a database a concurrent run has just created and not yet connected to.
 */
function testDatabaseName(label: string): string {
  const tag = label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20);
  return `trellis_t_${tag}_${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** An empty, migrated database of its own, cloned from the template. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await cloneTemplate(name);
  return {
    name,
    url: databaseUrl(name),
    drop: () => dropDatabase(name),
  };
}

/** An empty database with no schema at all (for migration tests). */
export async function createEmptyDatabase(label = 'empty'): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await adminQuery(`CREATE DATABASE ${name}`);
  await withoutCommitFlush(name);
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/**
 * A test database's commits do not wait for the WAL flush (synchronous_commit = off, for every connection to it,
 * the built server's too): a commit waited 7-10 ms for fsync on this shared disk, and an e2e file commits
 * thousands of times. Nothing a test checks changes: what a commit wrote is seen at once, and a lost backend
 * (test/executions/database-restart) loses nothing committed; only a crash of the server could, and tests never crash it.
 */
async function withoutCommitFlush(name: string): Promise<void> {
  await adminQuery(`ALTER DATABASE ${name} SET synchronous_commit = off`);
}

async function cloneTemplate(name: string): Promise<void> {
  // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template
  // (two test workers cloning at once); retry briefly.
  const template = await ensureTemplate();
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      await withoutCommitFlush(name);
      return;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** A DataSource over a test database, initialised. */
export async function connect(url: string): Promise<DataSource> {
  const dataSource = openDataSource({ url, poolSize: 5, applicationName: 'trellis-test' });
  await dataSource.initialize();
  return dataSource;
}
