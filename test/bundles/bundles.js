// Test bundles: in a full run (`npm test`, `npm run test:unit`, `npm run test:e2e`; TRELLIS_TEST_BUNDLES=1) jest
// runs a few bundle files per layer instead of every spec file, each bundle importing a share of the specs into
// one module registry. Jest gives every test file a registry of its own, so each file evaluated the whole
// module graph again (NestJS, TypeORM, BullMQ, the block library: ~2.7 s of CPU for a booted app's graph, more
// than booting the app); a bundle evaluates it once for all its files. Specs stay ordinary files: run one alone
// with `npm run jest -- <file>` (no bundles then). Some specs run alone even in a full run: one with a top-level
// beforeEach/afterEach (outside any describe: in a bundle it would run around every other file's tests), and an
// e2e spec with a top-level beforeAll/afterAll (its booted app would stay up, and busy, through the whole bundle).
// Plain JavaScript: jest.config.js (no TypeScript loader) and the bundle files both use it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Bundle files per layer: enough for two workers to even out, few enough that each graph loads rarely. */
export const BUNDLES = { unit: 4, e2e: 8 };

const TOP_LEVEL_HOOK = { unit: /^(beforeEach|afterEach)\(/m, e2e: /^(beforeAll|afterAll|beforeEach|afterEach)\(/m };

export function bundlesEnabled() {
  return process.env.TRELLIS_TEST_BUNDLES === '1';
}

function walk(root, dir, out) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'bundles') walk(root, path, out);
    } else out.push(path);
  }
  return out;
}

/** The spec files of a layer (the same rule as jest.config.js's testMatch), relative to `root`, sorted. */
export function layerFiles(root, layer) {
  const files = [...walk(root, 'src', []), ...walk(root, 'test', [])].sort();
  if (layer === 'unit') return files.filter((f) => f.endsWith('.spec.ts') && !f.endsWith('.process.spec.ts'));
  return files.filter((f) => f.endsWith('.e2e-spec.ts') || f.endsWith('.process.spec.ts'));
}

/** Specs that must run as files of their own (a top-level hook, see above). */
export function standaloneFiles(root, layer) {
  return layerFiles(root, layer).filter((f) => TOP_LEVEL_HOOK[layer].test(readFileSync(join(root, f), 'utf8')));
}

/** A rough stand-in for a spec's time: its size, thrice for one that starts the built program (seconds a child). */
function sizeWeight(root, file) {
  const text = readFileSync(join(root, file), 'utf8');
  return text.length * (/helpers\/(built|server-process)\.js'/.test(text) ? 3 : 1);
}

/**
 * Seconds each spec took in a measured full run (test/bundles/timings.json, written by profile-report.mjs from a
 * TRELLIS_TEST_PROFILE run): a spec's size says little of its time (the PR gate packs and installs the package; a
 * short recovery spec waits for leases to lapse), and one bundle holding two slow specs was the run's critical path.
 */
function measuredSeconds(root) {
  const path = join(root, 'test', 'bundles', 'timings.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
}

/** Each spec's weight in seconds: measured, or for a spec not measured yet, its size at the measured specs' rate. */
function weights(root, files) {
  const measured = measuredSeconds(root);
  const known = files.filter((f) => typeof measured[f] === 'number');
  const knownSize = known.reduce((sum, f) => sum + sizeWeight(root, f), 0);
  const knownSeconds = known.reduce((sum, f) => sum + measured[f], 0);
  const perChar = knownSize > 0 && knownSeconds > 0 ? knownSeconds / knownSize : 1;
  return new Map(files.map((f) => [f, measured[f] ?? sizeWeight(root, f) * perChar]));
}

/**
 * The specs of bundle `index` (1-based) of a layer: the bundleable specs dealt out by weight, heaviest first, each
 * to the lightest bundle so far, so that the bundles take about as long.
 */
export function bundleFiles(root, layer, index) {
  // The plan jest.config.js made when the run began: files written during the run do not move specs between bundles.
  const plan = process.env.TRELLIS_TEST_BUNDLE_PLAN;
  if (plan) return JSON.parse(plan)[layer][index - 1];
  return dealBundles(root, layer)[index - 1].files.sort();
}

/** Every bundle of a layer: `index` -> its specs (what the run uses, fixed when it begins). */
export function bundlePlan(root) {
  const plan = {};
  for (const layer of Object.keys(BUNDLES)) plan[layer] = dealBundles(root, layer).map((bundle) => bundle.files.sort());
  return plan;
}

function dealBundles(root, layer) {
  const alone = new Set(standaloneFiles(root, layer));
  const bundleable = layerFiles(root, layer).filter((f) => !alone.has(f));
  const weight = weights(root, bundleable);
  const files = bundleable.map((f) => ({ f, size: weight.get(f) })).sort((a, b) => b.size - a.size || a.f.localeCompare(b.f));
  const bundles = Array.from({ length: BUNDLES[layer] }, () => ({ size: 0, files: [] }));
  for (const { f, size } of files) {
    const lightest = bundles.reduce((best, bundle) => (bundle.size < best.size ? bundle : best));
    lightest.size += size;
    lightest.files.push(f);
  }
  return bundles;
}

/** The relative path of one bundle file. */
export function bundlePath(layer, index) {
  return relative('.', join('test', 'bundles', `${layer}-${index}.bundle.ts`));
}
