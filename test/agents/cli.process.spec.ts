// The real `trellis` command (bin/trellis.js over the build, built once when stale) as a child process:
// exit codes, stdout and stderr as a CI job sees them. No database and no server are involved.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { defaultDeps, validateCommand } from '../../src/agents/agents.command.js';
import { BLOCK_MANIFEST_FILE, blockManifest } from '../../src/blocks/library/block-manifest.js';
import { BLOCK_LIBRARY } from '../../src/blocks/library/index.js';
import { ensureBuilt, ROOT, TRELLIS_BIN } from '../helpers/built.js';
import { goodAgent, yaml } from './fixtures/check.js';
import { capture, tempProject } from './fixtures/cli.js';

/** A child starts in about a second (much more on a busy machine). */
const SLOW = 120_000;
/** A build, when a source changed since the last one. */
const BUILD = 300_000;

function trellis(cwd: string, ...args: string[]) {
  return trellisWith({}, cwd, ...args);
}

function trellisWith(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [TRELLIS_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TRELLIS_ENV: 'test', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const GOOD = goodAgent('tests:', '  - name: says hi', '    expect: { outputs: { text: [hi] } }', '  - name: says hello', '    expect: { outputs: { text: [hello] } }');

describe('trellis as a process', () => {
  let project: ReturnType<typeof tempProject>;
  beforeAll(async () => {
    await ensureBuilt();
    project = tempProject({ 'agents/good.yaml': GOOD, 'broken/bad.yaml': yaml('name: bad', 'nodes:', '  t:', '    block: text.templat') });
  }, BUILD);
  afterAll(() => project.remove());

  it('validate: exit 0 for a valid folder, exit 1 with GitHub annotations for an invalid one', () => {
    const ok = trellis(project.dir, 'validate');
    expect(ok).toEqual({ status: 0, stdout: '', stderr: '1 agent checked: 1 valid, 0 invalid; 0 errors, 0 warnings\n' });
    const bad = trellis(project.dir, 'validate', 'broken', '--format', 'github');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('::error file=broken/bad.yaml,line=4,col=12::unknown block "text.templat". Did you mean "text.template"? List them with "trellis blocks".\n');
  }, SLOW);

  it('analyze: the shape and credits of an agent, loaded lazily like validate', () => {
    const result = trellis(project.dir, 'analyze', 'good');
    expect(result).toEqual({
      status: 0,
      stdout: 'good (agents/good.yaml)\n  2 nodes, 1 link; depth 2, 1 parallel branch\n  critical path: t -> out\n  credits per run: 0\n',
      stderr: '',
    });
  }, SLOW);

  it('test: exit 1 with the report when a test fails', () => {
    const result = trellis(project.dir, 'test');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('  ok   says hi\n  FAIL says hello\n       outputs.text:\n         expected: ["hello"]\n         actual:   ["hi"]\n');
    expect(result.stdout).toContain('2 tests, 1 passed, 1 failed');
  }, SLOW);

  it('validate reads the build\'s block manifest, which is the library\'s, and prints what the library gives in-process', async () => {
    const built: unknown = JSON.parse(readFileSync(join(ROOT, 'dist', 'src', 'blocks', 'library', BLOCK_MANIFEST_FILE), 'utf8'));
    expect(built).toEqual(JSON.parse(JSON.stringify(blockManifest(BLOCK_LIBRARY))));
    const invalid = join('test', 'agents', 'fixtures', 'invalid');
    const inProcess = capture(ROOT);
    const status = await validateCommand(invalid, 'json', inProcess.io, { ...defaultDeps, validationBlocks: undefined });
    const expected = { status, stdout: inProcess.out(), stderr: inProcess.err() };
    expect(expected.status).toBe(1);
    expect(trellis(ROOT, 'validate', invalid, '--format', 'json')).toEqual(expected);
    // A compile cache folder that cannot be written changes nothing (on Node 20, which has none, neither).
    expect(trellisWith({ NODE_COMPILE_CACHE: '/dev/null/cache' }, ROOT, 'validate', invalid, '--format', 'json')).toEqual(expected);
  }, SLOW);

  it('validate loads no Nest, TypeORM or ajv compiler, and the packages dist/ bundles from their bundles', () => {
    // Every CommonJS file the child loaded (imported or required: one cache), written as it exits.
    const log = join(project.dir, 'loaded.json');
    const hook = `import { createRequire } from 'node:module'; import { writeFileSync } from 'node:fs'; const cache = createRequire('/').cache; process.on('exit', () => writeFileSync(${JSON.stringify(log)}, JSON.stringify(Object.keys(cache))));`;
    const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, TRELLIS_BIN, 'validate', 'agents'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TRELLIS_ENV: 'test' },
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    const loaded = (JSON.parse(readFileSync(log, 'utf8')) as string[]).map((file) => file.split(sep).join('/'));
    // The shipped agents include a cron trigger and typed inputs with defaults: the bundles and the runtime of
    // the precompiled validators are in use, so an empty list below is not for want of seeing the files.
    expect(loaded).toEqual(expect.arrayContaining([join(ROOT, 'dist/src/vendor/yaml.cjs'), join(ROOT, 'dist/src/vendor/cron-parser.cjs')]));
    expect(loaded.some((file) => file.includes('/node_modules/ajv/dist/runtime/'))).toBe(true);
    expect(loaded.filter((file) => /\/node_modules\/(@nestjs|typeorm|yaml|cron-parser|commander)\/|\/node_modules\/ajv\/dist\/(core|compile)/.test(file))).toEqual([]);
  }, SLOW);

  it('render and a bad path: the picture on stdout, a clear message and exit 2 for a path that is not there', () => {
    expect(trellis(project.dir, 'render', 'good').stdout).toContain('n_t -->|"text → value"| n_out');
    expect(trellis(project.dir, 'validate', 'nowhere')).toEqual({ status: 2, stdout: '', stderr: 'nowhere does not exist: give the agents folder (default ./agents, or AGENTS_DIR) or an agent file\n' });
  }, SLOW);
});
