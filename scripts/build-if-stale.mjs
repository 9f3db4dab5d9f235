// `npm start`'s prestart: builds only when dist/ is stale. The stamp is a digest of every build input
// (path, size, mtime of the sources tsconfig.build.json includes, both tsconfigs, package.json and the
// TypeScript version), written after a successful tsc; a changed, added or removed input rebuilds (tsc
// --incremental then recompiles what changed). `--force` always builds. Unchanged: no tsc at all.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'dist', '.build-stamp');
const SOURCE_DIRS = ['src', 'migrations', 'bench'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'node_modules/typescript/package.json'];
/** What tsconfig.build.json excludes: tests beside the code do not change dist/. */
const NOT_BUILT = /\.(spec|contract)\.ts$/;

function sources(dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, found);
    else if (entry.name.endsWith('.ts') && !NOT_BUILT.test(entry.name)) found.push(path);
  }
  return found;
}

function inputsDigest() {
  const paths = [...SOURCE_DIRS.flatMap((dir) => sources(join(root, dir))), ...FILES.map((file) => join(root, file)).filter(existsSync)].sort();
  const hash = createHash('sha256');
  for (const path of paths) {
    const { size, mtimeMs } = statSync(path);
    hash.update(`${relative(root, path)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const digest = inputsDigest();
const current = existsSync(join(root, 'dist', 'src', 'cli.js')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === digest;
if (current && !process.argv.includes('--force')) {
  console.error('dist/ is up to date (no source, tsconfig or package.json changed since the last build): not building');
} else {
  console.error(`building dist/ (${existsSync(STAMP) ? 'a source, tsconfig or package.json changed' : 'no build stamp yet'}): tsc -p tsconfig.build.json`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  writeFileSync(STAMP, `${digest}\n`);
}
