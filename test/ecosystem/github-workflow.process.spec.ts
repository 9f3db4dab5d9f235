// docs/github/agents.yml, the workflow users copy: it runs on pull requests touching the agents, every
// `trellis` command it runs exists in the CLI with the options it passes, and each one passes on this
// repository's agents when run as a process.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { VALIDATE_FORMATS } from '../../src/agents/agents.command.js';
import { buildProgram } from '../../src/cli/local.program.js';
import { openDataSource } from '../../src/entities.js';
import { ensureBuilt, TRELLIS_BIN } from '../helpers/built.js';

const ROOT = process.cwd();
const workflow = parse(readFileSync(join(ROOT, 'docs/github/agents.yml'), 'utf8')) as {
  on: { pull_request: { paths: string[] } };
  jobs: Record<string, { steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }> }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = steps.flatMap((step) =>
  step.run
    ? step.run
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
    : [],
);
const trellisRuns = runs.filter((line) => line.startsWith('npx trellis ')).map((line) => line.split(/\s+/).slice(2));
/** A child starts in about a second (much more on a busy machine). */
const SLOW = 120_000;
/** A build, when a source changed since the last one. */
const BUILD = 300_000;

function trellis(args: string[]) {
  const result = spawnSync(process.execPath, [TRELLIS_BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TRELLIS_ENV: 'test' },
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the example GitHub workflow', () => {
  // As the workflow does: `npm run build`, then `npx trellis` (bin/trellis.js over the build).
  beforeAll(() => ensureBuilt(), BUILD);

  it('runs on pull requests touching the agents, installs with npm install and builds before using trellis', () => {
    expect(workflow.on.pull_request.paths).toContain('agents/**');
    expect(steps.map((step) => step.uses).filter(Boolean)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4']);
    expect(runs.indexOf('npm install --no-audit --no-fund')).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('npm run build')).toBeGreaterThan(runs.indexOf('npm install --no-audit --no-fund'));
    expect(trellisRuns).toEqual([
      ['validate', 'agents', '--format', 'github'],
      ['test', 'agents'],
    ]);
    expect(runs.findIndex((line) => line.startsWith('npx trellis'))).toBeGreaterThan(runs.indexOf('npm run build'));
  });

  it('passes only commands and options the trellis CLI has', () => {
    const program = buildProgram({ openDataSource, start: () => Promise.reject(new Error('not started here')) });
    for (const [name, ...args] of trellisRuns) {
      const command = program.commands.find((c: Command) => c.name() === name);
      expect({ name, exists: Boolean(command) }).toEqual({ name, exists: true });
      const flags = args.filter((arg) => arg.startsWith('--'));
      const known = command!.options.map((option) => option.long);
      expect({ name, unknown: flags.filter((flag) => !known.includes(flag)) }).toEqual({ name, unknown: [] });
    }
    expect(VALIDATE_FORMATS).toContain('github');
  });

  it(
    "each trellis step passes on this repository's agents: validate prints no annotation, test reports every test passed",
    () => {
      const [validateArgs, testArgs] = trellisRuns;
      const validated = trellis(validateArgs!);
      expect({ status: validated.status, stdout: validated.stdout }).toEqual({ status: 0, stdout: '' });
      expect(validated.stderr).toMatch(/agents checked: (\d+) valid, 0 invalid; 0 errors/);
      const tested = trellis(testArgs!);
      expect(tested.status).toBe(0);
      expect(tested.stdout).toMatch(/\d+ tests, \d+ passed, 0 failed/);
    },
    SLOW,
  );
});
