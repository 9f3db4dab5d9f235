#!/usr/bin/env node
// The `trellis` command: runs the compiled CLI (build with `npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli.js');
if (!existsSync(entry)) {
  console.error(`trellis: ${entry} is missing. Run "npm run build" in ${root} first.`);
  process.exit(2);
}
await import(pathToFileURL(entry).href);
