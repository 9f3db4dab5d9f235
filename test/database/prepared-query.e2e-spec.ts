// preparedQuery (src/database/prepared-query.ts): rows answered, the caller's transaction kept, and the
// statement prepared once per connection under one name however often it runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../../src/database/prepared-query.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('preparedQuery', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('prepared');
    dataSource = await connect(database.url);
    await dataSource.query('CREATE TABLE prepared_probe (n int NOT NULL)');
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('answers the rows of a statement, with its values', async () => {
    const rows = await preparedQuery<{ n: number }>(dataSource, 'INSERT INTO prepared_probe (n) SELECT unnest($1::int[]) RETURNING n', [[1, 2]]);
    expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("runs in the caller's transaction, prepared once on its connection however often it runs", async () => {
    const text = 'SELECT count(*)::int AS n FROM prepared_probe WHERE n > $1';
    const prepared = await dataSource
      .transaction(async (manager) => {
        await manager.query('INSERT INTO prepared_probe (n) VALUES (100)');
        const counts = [await preparedQuery<{ n: number }>(manager, text, [50]), await preparedQuery<{ n: number }>(manager, text, [50])];
        expect(counts).toEqual([[{ n: 1 }], [{ n: 1 }]]); // the transaction's own row is seen
        const statements = (await manager.query('SELECT statement FROM pg_prepared_statements')) as Array<{ statement: string }>;
        throw Object.assign(new Error('roll back'), { statements });
      })
      .catch((error: { statements?: Array<{ statement: string }> }) => error.statements);
    expect(prepared?.filter((row) => row.statement === text)).toHaveLength(1);
    expect(await preparedQuery<{ n: number }>(dataSource, text, [50])).toEqual([{ n: 0 }]); // rolled back
  });

  it("fails with the driver's error and its SQLSTATE", async () => {
    await expect(preparedQuery(dataSource, 'INSERT INTO prepared_probe (n) VALUES ($1)', [null])).rejects.toMatchObject({ code: '23502' });
  });
});
