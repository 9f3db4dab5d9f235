// Jest runs our ESM TypeScript through SWC (NestJS 12 is ESM-only; see README "Testing").
// Two layers (see README "Tests"): `unit` needs no Postgres, Redis or child process and runs in seconds;
// `e2e` is every file named *.e2e-spec.ts (real Postgres/Redis, booted apps) or *.process.spec.ts (child
// processes of the built dist/). test/pyramid.spec.ts checks that no unit file reaches a service.
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

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.process\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e-spec.ts', '**/*.process.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.js',
    },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
  // Every file loads its own copy of the module graph (ESM in vm contexts) and a worker's heap only grows
  // (past 2 GB in a full run, slowing every collection): a worker past this after a file is replaced.
  workerIdleMemoryLimit: '1GB',
};
