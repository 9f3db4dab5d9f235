// Builds dist/ only when it is stale: imported by `npm start` (`trellis start --build-if-stale`, bin/trellis.js),
// or run as `node scripts/build-if-stale.mjs [--force]`. The stamp is a digest of every build input (path, size,
// mtime of the files the build compiles, both tsconfigs, package.json, the build scripts, the SWC version and the
// packages the build bundles), written after a successful build; a changed, added or removed input rebuilds.
// `--force` always builds. Unchanged: no build at all, and no SWC loaded (scripts/build.mjs loads it only to build).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildInputs } from './build.mjs';
import { VENDOR_PACKAGES } from './vendor-bundles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'dist', '.build-stamp');
const FILES = [
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'scripts/build.mjs',
  'scripts/vendor-bundles.mjs',
  'node_modules/@swc/core/package.json',
  // The packages dist/ holds a copy of (scripts/vendor-bundles.mjs): another version installed rebuilds.
  ...VENDOR_PACKAGES.map((name) => `node_modules/${name}/package.json`),
];

function inputsDigest() {
  const paths = [...buildInputs().files, ...FILES.filter((file) => existsSync(join(root, file)))].sort();
  const hash = createHash('sha256');
  for (const path of paths) {
    const { size, mtimeMs } = statSync(join(root, path));
    hash.update(`${path}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const digest = inputsDigest();
const current = existsSync(join(root, 'dist', 'src', 'cli.js')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === digest;
if (current && !process.argv.includes('--force')) {
  console.error('dist/ is up to date (no source, tsconfig or package.json changed since the last build): not building');
} else {
  console.error(`building dist/ (${existsSync(STAMP) ? 'a source, tsconfig or package.json changed' : 'no build stamp yet'}): npm run build`);
  if (!(await build())) process.exit(1);
  writeFileSync(STAMP, `${digest}\n`);
}
