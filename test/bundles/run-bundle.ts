// The body of every bundle file (see bundles.js): imports the bundle's specs, in order, into this test file's
// module registry, so that their describe/it blocks are this file's tests and their imports are loaded once.
// TRELLIS_TEST_PROFILE=<file> (a measurement, off by default): after each spec's tests a marker test appends
// the CPU seconds the spec took (this worker, and the children it reaped: the server processes it started) and
// its wall time to <file> as a JSON line; see test/bundles/profile-report.mjs.
import { appendFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, it } from '@jest/globals';
import { closeSharedApps, shareAcrossFiles } from '../helpers/shared-apps.js';
import { bundleFiles, type Layer } from './bundles.js';

/** CPU seconds of this process and of its reaped children (/proc/self/stat utime, stime, cutime, cstime). */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

export async function runBundle(bundleUrl: string): Promise<void> {
  const match = /^(unit|e2e)-(\d+)\.bundle\.ts$/.exec(basename(fileURLToPath(bundleUrl)));
  if (!match) throw new Error(`${bundleUrl} is not named <unit|e2e>-<n>.bundle.ts`);
  const root = process.cwd();
  // Apps shared by the bundle's files (sharedTestApp) live until its last test.
  shareAcrossFiles();
  afterAll(closeSharedApps);
  const profile = process.env.TRELLIS_TEST_PROFILE;
  let last = { cpu: cpuSeconds(), wall: Date.now() };
  const mark = (file: string, importCpu: number) => () => {
    const now = { cpu: cpuSeconds(), wall: Date.now() };
    appendFileSync(profile!, `${JSON.stringify({ bundle: match[0], file, importCpu, cpu: now.cpu - last.cpu, wall: (now.wall - last.wall) / 1000 })}\n`);
    last = now;
  };
  if (profile) it('(profile: start)', mark('(start)', 0));
  for (const file of bundleFiles(root, match[1] as Layer, Number(match[2]))) {
    const before = cpuSeconds();
    await import(join(root, file));
    if (profile) it(`(profile: ${file})`, mark(file, cpuSeconds() - before));
  }
}
