// Once per `npm test`: drop test databases that interrupted earlier runs left behind: those created more than
// an hour ago (their name says when: test/helpers/database.ts) or named before names carried the time, and not in
// use (DROP without FORCE refuses those). A concurrent run's fresh databases are left alone, connected or not. In a full run (test bundles), start building
// dist/ for the process tests now, beside the first test files, instead of inside the first process test that
// needs it (a build there ate most of that test's time limit on a busy machine). Not awaited: a test that needs
// dist/ waits for this build on the build lock; a failed build is built again, and reported, by that test.
import pg from 'pg';
import { bundlesEnabled } from './bundles/bundles.js';
import { ensureBuilt } from './helpers/built-dist.js';

export default async function globalSetup() {
  process.env.TRELLIS_ENV = 'test';
  if (bundlesEnabled()) void ensureBuilt().catch(() => undefined);
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    const stale = await client.query(
      "SELECT datname FROM pg_database d WHERE datname LIKE 'trellis\\_t\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    );
    for (const { datname } of stale.rows.filter(({ datname }) => isOld(datname)))
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  } finally {
    await client.end();
  }
}

const HOUR_S = 3600;

/** Whether a test database is a leftover: older than an hour, or named without its creation time. */
function isOld(name) {
  const parts = name.split('_');
  if (parts.length !== 5) return true;
  const created = parseInt(parts[3], 36);
  return !Number.isFinite(created) || Date.now() / 1000 - created > HOUR_S;
}
