#!/usr/bin/env node
// The `trellis` command, however it is started (`npx trellis`, `npm run trellis --`, `npm start`, an
// `npm link`, a global install): loads the compiled CLI and calls its main() with the user's arguments.
// Nothing depends on the path this file was started by. Build first with `npm run build`.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
// A one-shot command runs most functions tens or hundreds of times: V8's optimizing compilers (Maglev, then
// TurboFan) compiled them for runs that never came, a sixth of `trellis validate`'s CPU and more of render's or a
// large folder's. They now wait for ten times the calls, so a long `trellis run` or `test` still gets optimized
// code. Not for the server (`start`), nor for help, which optimizes nothing and pays for changed flags (Node's
// own modules' code cache no longer applies). V8 13 (Node 24) has both flags; an older V8 prints an error for a
// flag it lacks, so it is left as it is.
const help = args.length === 0 || ['help', '--help', '-h'].includes(args[0]);
if (args[0] !== 'start' && !help && Number(process.versions.v8.split('.')[0]) >= 13) {
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--invocation-count-for-maglev=4000');
  v8.setFlagsFromString('--invocation-count-for-turbofan=30000');
}

// V8's compiled code of the modules loaded from here on, kept on disk between runs (Node >= 22.1; NODE_COMPILE_CACHE
// names the folder, else the OS temp folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a fifth less CPU for a
// one-shot command. Where it is missing (Node 20) or the folder cannot be written, the command runs as before.
try {
  module.enableCompileCache?.();
} catch {
  // Never a reason not to run the command.
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli.js');
// `npm start` runs `trellis start --build-if-stale`: in a checkout, dist/ is built first when a build input changed
// (scripts/build-if-stale.mjs), in this process rather than in a prestart script (one Node and one npm step fewer).
// The flag goes before the server restarts with its heap settings; an installed package (no scripts/) has its dist/.
const buildIfStale = args[0] === 'start' ? args.indexOf('--build-if-stale') : -1;
if (buildIfStale > 0) {
  args.splice(buildIfStale, 1);
  process.argv.splice(buildIfStale + 2, 1);
  const script = join(root, 'scripts', 'build-if-stale.mjs');
  if (existsSync(script)) await import(pathToFileURL(script).href);
}
if (!existsSync(entry)) {
  console.error(`trellis: ${entry} is missing. Run "npm run build" in ${root} first.`);
  process.exit(2);
}
if (args[0] === 'start') {
  // The server runs with its heap settings (src/config/heap-settings.ts): this restarts the process once, same pid.
  const { restartWithHeapSettings } = await import(pathToFileURL(join(root, 'dist', 'src', 'config', 'heap-settings.js')).href);
  restartWithHeapSettings();
}
const { main } = await import(pathToFileURL(entry).href);
await main(args);
