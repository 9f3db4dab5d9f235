// Entities and migrations agree: from an empty database the migrations build exactly the schema the entities
// describe, and they revert cleanly to nothing and apply again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { openDataSource } from '../../src/entities.js';
import { runMigrations } from '../../src/database/migrate.js';
import { createEmptyDatabase, type TestDatabase } from '../helpers/database.js';
import { catalogSnapshot, diffLines, publicObjects } from './schema-snapshot.js';

/** The statements TypeORM would run to make the database match the entities; empty when they agree. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((query) => query.query);
}

function explainDrift(changes: string[]): string {
  return changes.length === 0
    ? 'entities and migrations agree'
    : `The entities and the migrations disagree. Write a migration that makes these changes (or fix the entity):\n${changes.join(';\n')}`;
}

describe('migrations', () => {
  let migrated: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    migrated = await createEmptyDatabase('migrations');
    dataSource = openDataSource({ url: migrated.url, poolSize: 2, applicationName: 'trellis-test' });
    await dataSource.initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await migrated?.drop();
  });

  it('applies every migration, in order, to an empty database', async () => {
    expect(await publicObjects(migrated.url)).toEqual([]);
    const applied = await runMigrations(dataSource);
    expect(applied).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await dataSource.showMigrations()).toBe(false);
    // A second run finds nothing to do.
    expect(await runMigrations(dataSource)).toEqual([]);
  });

  it('leaves nothing for the schema builder to change: the entities and the migrations agree', async () => {
    const changes = await pendingSchemaChanges(dataSource);
    expect(explainDrift(changes)).toBe('entities and migrations agree');
  });

  it('builds exactly the catalog TypeORM builds from the entities (checks, partial indexes and defaults included)', async () => {
    const fromEntities = await createEmptyDatabase('entities');
    const synchronized = openDataSource({ url: fromEntities.url, poolSize: 2, applicationName: 'trellis-test' });
    try {
      await synchronized.initialize();
      await synchronized.synchronize();
      const [fromMigrations, expected] = await Promise.all([catalogSnapshot(migrated.url), catalogSnapshot(fromEntities.url)]);
      expect(expected.length).toBeGreaterThan(100);
      const { onlyInA, onlyInB } = diffLines(fromMigrations, expected);
      expect({ only_in_migrations: onlyInA, only_in_entities: onlyInB }).toEqual({ only_in_migrations: [], only_in_entities: [] });

      // Why this comparison exists: TypeORM matches checks and indexes by name only, so a changed CHECK
      // expression or partial-index predicate passes its schema builder; the catalog comparison catches both.
      await synchronized.query(`ALTER TABLE "executions" DROP CONSTRAINT "executions_counts_check"`);
      await synchronized.query(`ALTER TABLE "executions" ADD CONSTRAINT "executions_counts_check" CHECK (depth >= 0)`);
      await synchronized.query(`DROP INDEX "executions_lease_until_idx"`);
      await synchronized.query(`CREATE INDEX "executions_lease_until_idx" ON "executions" ("lease_until")`);
      expect(await pendingSchemaChanges(synchronized)).toEqual([]);
      const drifted = diffLines(fromMigrations, await catalogSnapshot(fromEntities.url));
      expect(drifted.onlyInA).toEqual([
        expect.stringMatching(/^constraint executions\.executions_counts_check CHECK \(\(\(depth >= 0\) AND \(cost >= 0\)/),
        expect.stringMatching(/^index CREATE INDEX executions_lease_until_idx .* WHERE \(status = 'RUNNING'::text\)$/),
      ]);
      expect(drifted.onlyInB).toHaveLength(2);
    } finally {
      if (synchronized.isInitialized) await synchronized.destroy();
      await fromEntities.drop();
    }
  });

  it('keeps what TypeORM does not model: the execution status trigger and its function', async () => {
    const objects = await publicObjects(migrated.url);
    expect(objects).toContain('function executions_status_transition');
    const triggers = await dataSource.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'executions'::regclass AND NOT tgisinternal ORDER BY tgname`);
    expect(triggers.map((row: { tgname: string }) => row.tgname)).toEqual(['executions_status_on_insert', 'executions_status_transition']);
  });

  it('reverts every migration to an empty schema, then migrates up again to the same schema', async () => {
    const before = await catalogSnapshot(migrated.url);
    for (let reverted = 0; reverted < MIGRATIONS.length; reverted++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await publicObjects(migrated.url)).toEqual([]);
    expect(await dataSource.query('SELECT name FROM migrations')).toEqual([]);

    const applied = await runMigrations(dataSource);
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(await catalogSnapshot(migrated.url)).toEqual(before);
    expect(explainDrift(await pendingSchemaChanges(dataSource))).toBe('entities and migrations agree');
  });
});
