// `trellis run` as a real child process (bin/trellis.js over the build): exit codes, stdout and stderr as
// a shell sees them. No database, no Redis, no server: DATABASE_URL points nowhere on purpose.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureBuilt, TRELLIS_BIN } from '../helpers/built.js';
import { AGENTS, ROOT, tempProject, type TempProject } from './run-command.fixtures.js';

const SLOW = 120_000;
/** A build, when a source changed since the last one. */
const BUILD = 300_000;

function trellis(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [TRELLIS_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TRELLIS_ENV: 'test', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trellis run as a process', () => {
  let project: TempProject;
  beforeAll(async () => {
    await ensureBuilt();
    // The example agent itself, copied in, so the project folder is all the child sees.
    project = tempProject({ ...AGENTS, 'agents/hello-world.yaml': readFileSync(join(ROOT, 'agents/hello-world.yaml'), 'utf8') });
  }, BUILD);
  afterAll(() => project.remove());

  it(
    'runs the example agent, prints live lines and outputs, exits 0 and writes nothing to disk',
    () => {
      const run = trellis(project.dir, 'run', 'hello-world', '--input', 'who=Grace');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/ {2}▸ greet \(text.template\) started\n/);
      // The duration as the CLI prints it: "840 ms", or "1.05 s" once a busy machine crosses a second.
      expect(run.stdout).toMatch(/hello-world: COMPLETED in \d+(\.\d+)? m?s\noutputs:\n {2}greeting: \["Hello, Grace!"\]\n$/);
      expect(existsSync(join(project.dir, '.trellis'))).toBe(false);
    },
    SLOW,
  );

  it(
    'prints one JSON document with --json; exit 1 for a failing agent, 2 for a missing input',
    () => {
      const json = trellis(project.dir, 'run', 'agents/double.yaml', '--input', 'n=7', '--json');
      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ agent: 'double', status: 'COMPLETED', outputs: { doubled: [14] } });
      const failing = trellis(project.dir, 'run', 'fails');
      expect(failing.status).toBe(1);
      expect(failing.stdout).toContain('error: EXPRESSION_ERROR at node check');
      const missing = trellis(project.dir, 'run', 'double');
      expect(missing).toEqual({ status: 2, stdout: '', stderr: 'double needs the required input n (no default): give it as --input n=<value>\n' });
    },
    SLOW,
  );
});
