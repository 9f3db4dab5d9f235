// The body of every bundle file (see bundles.js): imports the bundle's specs, in order, into this test file's
// module registry, so that their describe/it blocks are this file's tests and their imports are loaded once.
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from '@jest/globals';
import { closeSharedApps, shareAcrossFiles } from '../helpers/shared-apps.js';
import { bundleFiles, type Layer } from './bundles.js';

export async function runBundle(bundleUrl: string): Promise<void> {
  const match = /^(unit|e2e)-(\d+)\.bundle\.ts$/.exec(basename(fileURLToPath(bundleUrl)));
  if (!match) throw new Error(`${bundleUrl} is not named <unit|e2e>-<n>.bundle.ts`);
  const root = process.cwd();
  // Apps shared by the bundle's files (sharedTestApp) live until its last test.
  shareAcrossFiles();
  afterAll(closeSharedApps);
  for (const file of bundleFiles(root, match[1] as Layer, Number(match[2]))) await import(join(root, file));
}
