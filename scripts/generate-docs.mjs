// `npm run docs:generate`: rewrites the generated documents (docs/openapi.json from the served OpenAPI
// document, docs/blocks.md from the block registry) by running the tests that compare them, in write mode.
// Those same tests, run normally (npm test), fail while a committed copy is stale.
import { spawnSync } from 'node:child_process';

const result = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', 'test/docs/', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, TRELLIS_WRITE_DOCS: '1' } },
);
process.exit(result.status ?? 1);
