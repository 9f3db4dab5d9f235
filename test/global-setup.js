// Once per `npm test`: drop test databases that interrupted earlier runs left behind (those still in use
// by a concurrent run are skipped: DROP without FORCE refuses them).
import pg from 'pg';

export default async function globalSetup() {
  process.env.TRELLIS_ENV = 'test';
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    const stale = await client.query(
      "SELECT datname FROM pg_database d WHERE datname LIKE 'trellis\\_t\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    );
    for (const { datname } of stale.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  } finally {
    await client.end();
  }
}
