// The PR gate: `trellis` behaves the same however a person or a CI job starts it. The package is packed,
// installed from the tarball (production dependencies only) and installed globally into a prefix (one pack
// and one install shared by every case; both are reused across runs while what npm packs is the same:
// pr-gate.fixtures.ts says what they are keyed on), linked with `npm link`, and run through `npx`,
// `npm run trellis --`, `node bin/trellis.js` and `npm start`.
// Release 1 decided whether to run by looking at argv[1], and so ran nothing (exit 0) under `npx`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempProject } from '../agents/fixtures/cli.js';
import { ensureBuilt, withBuildLock } from '../helpers/built.js';
import { createEmptyDatabase, createTestDatabase } from '../helpers/database.js';
import { childEnv, heldDatabase, installedFile, packAndInstall, ROOT, run, startServer, type Installed, type Ran } from './pr-gate.fixtures.js';

const HELLO = readFileSync(join(ROOT, 'agents/hello-world.yaml'), 'utf8');
const BAD = 'name: bad\nnodes:\n  t:\n    block: text.templat\n';
const PROBLEM = 'bad.yaml:4:12: unknown block "text.templat". Did you mean "text.template"? List them with "trellis blocks".\n';
/** A fresh base64 key, so no command writes .trellis/encryption.key anywhere. */
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
const SLOW = 300_000;

describe('the PR gate: trellis however it is started', () => {
  let installed: Installed;
  let project: ReturnType<typeof tempProject>;
  beforeAll(async () => {
    await ensureBuilt();
    // Under the build lock: nothing rewrites dist/ while it is packed.
    installed = await withBuildLock(() => packAndInstall());
    process.stderr.write(
      `pr-gate: npm pack ${installed.timings.pack} ms, install and global install ${installed.timings.install} ms${installed.reused ? ' (an earlier run, of the same inputs: reused)' : ''}, npm link ${installed.timings.link} ms\n`,
    );
    // A valid folder, and a folder where one file of two is invalid.
    project = tempProject({ 'agents/hello-world.yaml': HELLO, 'broken/hello-world.yaml': HELLO, 'broken/bad.yaml': BAD });
  }, 900_000);
  afterAll(() => {
    installed?.remove();
    project?.remove();
  });

  it('npm pack builds first: the prepack script is the build (the tests pack the build they made with it)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect([pkg.scripts.prepack, pkg.scripts.build]).toEqual(['npm run build', 'node scripts/build.mjs']);
  });

  it('the tarball carries the bin, the compiled CLI, the migrations and the config defaults, and no sources', () => {
    for (const path of ['bin/trellis.js', 'dist/src/cli.js', 'dist/migrations/index.js', 'config/default.yaml', 'package.json']) {
      expect([path, installedFile(installed, path)]).toEqual([path, true]);
    }
    for (const path of ['src', 'test', 'dist/bench', 'node_modules/.bin/jest']) expect([path, installedFile(installed, path)]).toEqual([path, false]);
    expect(existsSync(installed.globalBin)).toBe(true);
    // npm installed the tarball's dependencies and nothing else: the bins below run without dev dependencies.
    for (const dev of ['jest', 'typescript', 'supertest']) expect([dev, existsSync(join(installed.project, 'node_modules', dev))]).toEqual([dev, false]);
    for (const dependency of ['@nestjs/core', 'typeorm', 'bullmq'])
      expect([dependency, existsSync(join(installed.project, 'node_modules', dependency))]).toEqual([dependency, true]);
  });

  /** Each launcher runs in `cwd` with absolute paths, so problems print relative to the project or in full. */
  const launchers: Array<[string, (args: string[]) => Ran, () => string]> = [
    ['a global install of the packed package', (args) => run(installed.globalBin, args, project.dir), () => project.dir],
    ['an npm link', (args) => run(installed.linkedBin, args, project.dir), () => project.dir],
    ['node bin/trellis.js', (args) => run(process.execPath, [join(ROOT, 'bin/trellis.js'), ...args], project.dir), () => project.dir],
    ['npx trellis in the project', (args) => run('npx', ['--no', 'trellis', ...args], ROOT), () => ROOT],
    ['npm run trellis -- in the project', (args) => run('npm', ['run', 'trellis', '--', ...args], ROOT), () => ROOT],
  ];

  it.each(launchers)(
    '%s: validate exits 0 on a valid folder and 1 with file:line:col when one file is invalid',
    (_name, trellis, cwd) => {
      const valid = trellis(['validate', join(project.dir, 'agents')]);
      expect(valid.stderr).toContain('1 agent checked: 1 valid, 0 invalid; 0 errors, 0 warnings\n');
      expect(valid.status).toBe(0);

      const invalid = trellis(['validate', join(project.dir, 'broken')]);
      const shown = cwd() === project.dir ? 'broken/' : `${project.dir}/broken/`;
      expect(invalid.stdout).toContain(`${shown}${PROBLEM}`);
      expect(invalid.stderr).toContain('2 agents checked: 1 valid, 1 invalid; 1 error, 0 warnings\n');
      expect(invalid.status).toBe(1);
    },
    SLOW,
  );

  it(
    'the installed bin validates offline, without a database: no DATABASE_URL, nothing written, GitHub annotations on request',
    () => {
      const annotated = run(installed.globalBin, ['validate', 'broken', '--format', 'github'], project.dir);
      expect(annotated).toEqual({
        status: 1,
        stdout: '::error file=broken/bad.yaml,line=4,col=12::unknown block "text.templat". Did you mean "text.template"? List them with "trellis blocks".\n',
        stderr: '2 agents checked: 1 valid, 1 invalid; 1 error, 0 warnings\n',
      });
      expect(existsSync(join(project.dir, '.trellis'))).toBe(false);
    },
    SLOW,
  );

  it(
    'the installed bin dispatches the commands that need no database: schema, blocks, render, test (exit 1 on an invalid file), run',
    () => {
      const trellis = (...args: string[]) => run(installed.globalBin, args, project.dir);
      const schema = trellis('schema');
      expect(schema.status).toBe(0);
      expect(JSON.parse(schema.stdout)).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#' });
      const blocks = trellis('blocks');
      expect([blocks.status, blocks.stdout]).toEqual([0, expect.stringContaining('text.template')]);
      const render = trellis('render', 'hello-world');
      expect([render.status, render.stdout]).toEqual([0, expect.stringContaining('n_greet -->|"text → value"| n_greeting')]);
      const tests = trellis('test', 'agents');
      expect([tests.status, tests.stdout]).toEqual([0, expect.stringContaining('2 tests, 2 passed, 0 failed')]);
      const once = trellis('run', 'hello-world', '--input', 'who=Ada');
      expect([once.status, once.stdout]).toEqual([0, expect.stringContaining('greeting: ["Hello, Ada!"]')]);
      const refused = trellis('test', 'broken');
      expect([refused.status, refused.stderr]).toEqual([1, expect.stringContaining(`broken/${PROBLEM}`)]);
    },
    SLOW,
  );

  describe('with a database', () => {
    const database = heldDatabase(() => createEmptyDatabase('prgate'));

    it(
      'the installed bin dispatches migrate, plan, sync, keys create and credentials rotate; plan and sync exit 1 on an invalid file',
      () => {
        const env = childEnv({ DATABASE_URL: database().url, TRELLIS_ENCRYPTION_KEY: ENCRYPTION_KEY });
        const trellis = (...args: string[]) => run(installed.globalBin, args, project.dir, env);
        expect(trellis('migrate')).toMatchObject({ status: 0, stdout: expect.stringMatching(/applied \d+ migration\(s\): InitialSchema/) });
        expect(trellis('plan', 'agents')).toMatchObject({ status: 0, stdout: expect.stringContaining('| `hello-world` | create | v1 |') });
        expect(trellis('plan', 'broken')).toMatchObject({ status: 1, stdout: expect.stringContaining('`broken/bad.yaml:4:12` unknown block "text.templat"') });
        expect(trellis('sync', 'agents')).toMatchObject({ status: 0, stderr: expect.stringContaining('1 created, 0 updated') });
        expect(trellis('sync', 'broken')).toMatchObject({ status: 1, stderr: expect.stringContaining('1 invalid (skipped)') });
        expect(trellis('keys', 'create', '--user', 'admin')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^trl_\S+\n$/) });
        const rotate = trellis('credentials', 'rotate');
        expect(rotate).toMatchObject({ status: 0, stdout: expect.stringContaining('Credentials: 0 re-encrypted') });
      },
      SLOW,
    );
  });

  it(
    'plan on the embedded database (no DATABASE_URL) exits 1 on an invalid file: the embedded database cannot turn a failure into exit 0',
    () => {
      const alone = tempProject({ 'broken/bad.yaml': BAD });
      try {
        const plan = run(installed.globalBin, ['plan', 'broken'], alone.dir, childEnv({ TRELLIS_ENCRYPTION_KEY: ENCRYPTION_KEY }));
        expect(plan.stdout).toContain('`broken/bad.yaml:4:12` unknown block "text.templat"');
        expect(plan.status).toBe(1);
      } finally {
        alone.remove();
      }
    },
    SLOW,
  );

  describe('the server', () => {
    const database = heldDatabase(() => createTestDatabase('prgatestart'));
    const env = () => childEnv({ DATABASE_URL: database().url, TRELLIS_ENCRYPTION_KEY: ENCRYPTION_KEY, PORT: '0', LOG_LEVEL: 'info' });

    it(
      'trellis start through the installed bin serves /health and ends with 0 on SIGTERM',
      async () => {
        const server = await startServer(installed.globalBin, ['start'], project.dir, env());
        const health = await fetch(`${server.url}/health`);
        expect(health.status).toBe(200);
        expect(await server.stop()).toBe(0);
      },
      SLOW,
    );

    it(
      "npm start (the README's command) builds when dist/ is stale (else says it is current), then starts the server in the project",
      async () => {
        const server = await startServer('npm', ['start'], ROOT, env());
        expect(server.output()).toContain('> node bin/trellis.js start --build-if-stale');
        expect(server.output()).toMatch(/dist\/ is up to date|building dist\/ \(.*\): npm run build/);
        const health = await fetch(`${server.url}/health`);
        expect(health.status).toBe(200);
        await server.stop();
      },
      SLOW,
    );
  });
});
