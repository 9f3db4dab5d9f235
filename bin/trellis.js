#!/usr/bin/env node
// The `trellis` command, however it is started (`npx trellis`, `npm run trellis --`, `npm start`, an
// `npm link`, a global install): loads the compiled CLI and calls its main() with the user's arguments.
// Nothing depends on the path this file was started by. Build first with `npm run build`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli.js');
if (!existsSync(entry)) {
  console.error(`trellis: ${entry} is missing. Run "npm run build" in ${root} first.`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv.slice(2));
