// Jest runs our ESM TypeScript through SWC (NestJS 12 is ESM-only; see README "Testing").
// Two layers (see README "Tests"): `unit` needs no Postgres, Redis or child process and runs in seconds;
// `e2e` is every file named *.e2e-spec.ts (real Postgres/Redis, booted apps) or *.process.spec.ts (child
// processes of the built dist/). test/pyramid.spec.ts checks that no unit file reaches a service.
// With TRELLIS_TEST_BUNDLES=1 (a full run: `npm test`, `npm run test:unit`, `npm run test:e2e`) each layer runs as a
// few bundle files that load the module graph once for many specs (test/bundles/bundles.js says why and how).
import { BUNDLES, bundlePath, bundlePlan, bundlesEnabled, standaloneFiles } from './test/bundles/bundles.js';
import { useCompileCache } from './test/compile-cache.js';

useCompileCache();

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'es6' },
    },
  ],
};

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/src', '<rootDir>/test'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
};

/** The files of a layer in a bundled run: its bundles, and the specs that run alone. */
function bundledMatch(layer) {
  const bundles = Array.from({ length: BUNDLES[layer] }, (_, i) => bundlePath(layer, i + 1));
  return [...bundles, ...standaloneFiles(process.cwd(), layer)].map((file) => `<rootDir>/${file}`);
}
const bundled = bundlesEnabled();
// The bundles' specs, fixed once for the run (the workers inherit the environment).
if (bundled) process.env.TRELLIS_TEST_BUNDLE_PLAN = JSON.stringify(bundlePlan(process.cwd()));

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: bundled ? bundledMatch('unit') : ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.process\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: bundled ? bundledMatch('e2e') : ['**/*.e2e-spec.ts', '**/*.process.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.js',
    },
  ],
  testTimeout: 30000,
  // Two cores. A full run takes a third worker: its e2e bundles spend much of their time waiting (on Postgres,
  // Redis, leases and the server processes they start), so two workers kept the cores ~70% busy (394 s of CPU in
  // 277 s on a quiet machine); a third bundle fills those gaps. Files named on the command line run on two.
  maxWorkers: bundled ? 3 : 2,
  // Every file loads its own copy of the module graph (ESM in vm contexts) and a worker's heap only grows
  // (past 2 GB in a full run, slowing every collection): a worker past this after a file is replaced.
  workerIdleMemoryLimit: '1GB',
};
