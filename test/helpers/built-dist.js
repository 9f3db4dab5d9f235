// Process tests start the built program, as users do (`bin/trellis.js`, `node dist/src/main.js`), instead
// of compiling the TypeScript sources in every child. The build (`npm run build`'s, through
// scripts/build-if-stale.mjs) runs when a source is newer than the last build, once per change: test files in
// parallel workers take a Postgres advisory lock around it (and around anything else that writes dist/, such as
// `npm pack`'s prepack build). The lock is this checkout's own (keyed by its folder): other checkouts build other
// dist/ folders and need not wait.
// Plain JavaScript, so that jest's global setup (test/global-setup.js) can start the build of a full run early;
// test/helpers/built.ts gives the tests its typed exports.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createHash } from 'node:crypto';

export const ROOT = process.cwd();
/** The `trellis` command as every launcher starts it. */
export const TRELLIS_BIN = join(ROOT, 'bin', 'trellis.js');
/** The server entry point (`node dist/src/main.js --role ...`). */
export const SERVER_MAIN = join(ROOT, 'dist', 'src', 'main.js');

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** pg_advisory_lock(int, int): a class for the build, and this checkout's folder. */
const BUILD_LOCK = [7_412_301, createHash('sha256').update(ROOT).digest().readInt32BE(0)];
/** Written after a successful build, with the time the build started. */
const STAMP = join(ROOT, 'dist', '.test-build-stamp');
const INPUTS = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/vendor-bundles.mjs'];

/** The newest modification time under the build's inputs, specs aside (folders count: removing a file changes them). */
function newestInput(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) if (!entry.endsWith('spec.ts')) newest = Math.max(newest, newestInput(join(path, entry)));
  return newest;
}

export function buildIsCurrent() {
  if (!existsSync(STAMP) || !existsSync(SERVER_MAIN)) return false;
  const built = statSync(STAMP).mtimeMs;
  return INPUTS.every((input) => newestInput(join(ROOT, input)) <= built);
}

/** Runs `fn` while no other test process builds or packs (a session-level advisory lock). */
export async function withBuildLock(fn) {
  const client = new pg.Client({ connectionString: ADMIN_URL, application_name: 'trellis-test-build' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', BUILD_LOCK);
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', BUILD_LOCK).catch(() => undefined);
    await client.end();
  }
}

/**
 * The build, through `npm start`'s own staleness check (scripts/build-if-stale.mjs --force), so that it also writes
 * that check's stamp: a test that runs `npm start` in this checkout then finds dist/ current, instead of rebuilding
 * it (and swapping its folders) under the server processes other test files are starting from it.
 */
function runBuild() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build-if-stale.mjs', '--force'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk) => void (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the build (scripts/build-if-stale.mjs --force) failed (${code}); fix what it shows:\n${output.slice(-4000)}`)),
    );
  });
}

/** Builds dist/ when it is missing or older than a source; a no-op (a file walk, milliseconds) otherwise. */
export async function ensureBuilt() {
  if (buildIsCurrent()) return;
  await withBuildLock(async () => {
    if (buildIsCurrent()) return; // another worker built it while we waited
    const started = new Date();
    await runBuild();
    writeFileSync(STAMP, `built by the tests at ${started.toISOString()}\n`);
    utimesSync(STAMP, started, started);
  });
}
