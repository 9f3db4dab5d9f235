// A statement Postgres parses and plans once per connection (a named prepared statement) instead of at every
// call. TypeORM's query() sends unnamed statements only; the admission INSERT (jsonb_to_recordset, the
// file-trust subqueries) cost about 450 µs of backend CPU to parse and plan each time, more than writing a
// group of 13 rows. This sends the statement on the pg client of the manager's query runner (its transaction,
// when it has one) or of a runner of its own, named after a hash of its text: the same text, the same name.
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `trellis_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

/** Runs `text` as a named prepared statement and answers its rows; errors are the pg driver's (with their SQLSTATE `code`). */
export async function preparedQuery<T>(source: DataSource | EntityManager, text: string, values: readonly unknown[]): Promise<T[]> {
  const manager = source instanceof DataSource ? source.manager : source;
  const runner = manager.queryRunner ?? manager.dataSource.createQueryRunner();
  const own = runner !== manager.queryRunner;
  try {
    const client = (await runner.connect()) as PgClient;
    return (await client.query({ name: statementName(text), text, values })).rows as T[];
  } finally {
    if (own) await runner.release();
  }
}
