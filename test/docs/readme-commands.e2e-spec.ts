// The README's command blocks, run as written: each shell line goes to bash in a copy of the project's agents/
// and config/, against a real server listening on a port (its own database, the copy as its agents folder,
// synced at start as `npm start` does). Three things differ from a reader's terminal, and only these:
// `npx trellis` is bin/trellis.js over the build (what npx resolves to in a clone), `localhost:3000` is the
// test server's port, and the placeholders (`trl_...`, `<id>`) are a real key and execution id. Every command
// line of every shell block is either run here or listed in NOT_RUN with the reason and where it is checked.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/app.js';
import { ensureBuilt, ROOT, TRELLIS_BIN } from '../helpers/built.js';
import { codeBlocks, SHELL, shellCommands, type CodeBlock } from './readme-blocks.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SHELL_BLOCKS = codeBlocks(README).filter((block) => SHELL.has(block.lang));

/** Command lines not run here: why, and where they are checked instead. */
const NOT_RUN: Array<[RegExp, string]> = [
  [/^npm install && npm start$/, 'a fresh clone and a server holding the terminal: test/cli/embedded-server.process.spec.ts starts the embedded server'],
  [/^open http/, 'opens a browser: the URL is fetched below instead'],
  [/^TRELLIS_GITOPS__/, 'settings, not commands: test/docs/readme.spec.ts loads each through the config loader'],
  [/^npm (test|run test:unit|run test:e2e)\b/, 'the test suite itself'],
  [/^export (DATABASE_URL|REDIS_URL|TRELLIS_ENCRYPTION_KEY)=|^TRELLIS_ROLE=(api|worker) +npm start/, 'scale-out: needs the hosts db and redis and several machines (test/ecosystem/container.e2e-spec.ts runs the roles)'],
  [/^docker compose /, 'no Docker engine on these machines: test/ecosystem/container.e2e-spec.ts checks compose.yaml and the image'],
];

const SLOW = 120_000;
const BUILD = 300_000;

interface Ran {
  command: string;
  status: number;
  output: string;
}

function blockWith(text: string): CodeBlock {
  const block = SHELL_BLOCKS.find((b) => b.body.some((line) => line.includes(text)));
  if (!block) throw new Error(`no shell block of README.md has "${text}"`);
  return block;
}

describe("the README's command blocks, run as written", () => {
  let t: TestApp;
  let project: string;
  let port: number;
  const placeholders = new Map<string, string>([['trl_...', TEST_ADMIN_KEY]]);

  /** Runs a block's commands in one bash (exports carry over), each one's status and output apart. Not spawnSync: the server answers from this process. */
  async function runBlock(block: CodeBlock): Promise<Ran[]> {
    const commands = shellCommands(block).filter((command) => !NOT_RUN.some(([pattern]) => pattern.test(command)));
    const script = [
      'exec 2>&1',
      // `npx trellis` in a clone is the package's own bin, bin/trellis.js; any other npx is npx.
      `npx() { if [ "$1" = trellis ]; then shift; node ${JSON.stringify(TRELLIS_BIN)} "$@"; else command npx "$@"; fi; }`,
      ...commands.flatMap((command, i) => {
        let line = command.replaceAll('localhost:3000', `127.0.0.1:${port}`).replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`);
        for (const [placeholder, value] of placeholders) line = line.replaceAll(placeholder, value);
        return [`printf '\\n@@start ${i}@@\\n'`, line, `printf '\\n@@end ${i} %s@@\\n' "$?"`];
      }),
    ].join('\n');
    const child = spawn('bash', ['-c', script], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: project,
        TRELLIS_ENV: 'test',
        DATABASE_URL: t.database.url,
        REDIS_URL: '',
        OPENAI_API_KEY: 'sk-readme-test-0123456789',
      },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    const result = { stdout };
    return commands.map((command, i) => {
      const match = new RegExp(`@@start ${i}@@\\n([\\s\\S]*?)\\n@@end ${i} (\\d+)@@`).exec(result.stdout);
      return { command, status: match ? Number(match[2]) : -1, output: match ? match[1]! : `(did not run) ${result.stdout.slice(-2000)}` };
    });
  }

  /** The run of the command that contains `text`, checked to have exited 0. */
  function ok(ran: Ran[], text: string): string {
    const run = ran.find((r) => r.command.includes(text));
    if (!run) throw new Error(`no command with "${text}" ran`);
    if (run.status !== 0) {
      // What went wrong, with the server's own error lines (a 500 says no more to the client).
      const serverErrors = t.logs().filter((line) => Number(line.level) >= 50);
      throw new Error(`"${run.command}" exited ${run.status}:\n${run.output}\nserver errors: ${JSON.stringify(serverErrors, null, 2).slice(0, 4000)}`);
    }
    return run.output;
  }

  beforeAll(async () => {
    await ensureBuilt();
    project = mkdtempSync(join(tmpdir(), 'trellis-readme-'));
    cpSync(join(ROOT, 'agents'), join(project, 'agents'), { recursive: true });
    cpSync(join(ROOT, 'config'), join(project, 'config'), { recursive: true });
    // curl prints a progress meter when its output is not a terminal; a reader's terminal shows none.
    writeFileSync(join(project, '.curlrc'), '--silent\n--show-error\n');
    t = await createTestApp({ label: 'readme', listen: true, env: { AGENTS_DIR: join(project, 'agents') }, overrides: { gitops: { sync_on_start: true } },
      captureLogs: { level: 'error', logger: 'plain' },
    });
    port = (t.http.address() as { port: number }).port;
  }, BUILD);
  afterAll(async () => {
    await t?.close();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('runs or names a reason for every command line of every shell block', () => {
    const commands = SHELL_BLOCKS.flatMap(shellCommands);
    expect(commands.length).toBeGreaterThan(25);
    const runBlocks = [blockWith('curl localhost:3000/health'), blockWith('npx trellis validate agents/'), blockWith('npx trellis push')];
    const unaccounted = SHELL_BLOCKS.filter((block) => !runBlocks.includes(block))
      .flatMap(shellCommands)
      .filter((command) => !NOT_RUN.some(([pattern]) => pattern.test(command)));
    expect(unaccounted).toEqual([]);
  });

  it(
    'Quick start: health, readiness, the synced agents and a run of hello-world answer as shown',
    async () => {
      const ran = await runBlock(blockWith('curl localhost:3000/health'));
      expect(JSON.parse(ok(ran, '/health '))).toMatchObject({ status: 'ok' });
      expect(ok(ran, '/health/ready')).toContain('"status"');
      expect(JSON.parse(ok(ran, '/api/graphs ')).items.map((g: { id: string }) => g.id)).toEqual(expect.arrayContaining(['hello-world']));
      // The answer the README prints beneath the command, with "..." standing for any value.
      const shown = README.split('\n').find((line) => line.startsWith('# {"execution_id"'))!.slice(2);
      const answer = JSON.parse(ok(ran, '/execute?wait=5s')) as Record<string, unknown>;
      const expected = JSON.parse(shown) as Record<string, unknown>;
      expect(answer).toEqual(Object.fromEntries(Object.entries(expected).map(([key, value]) => [key, value === '...' ? expect.anything() : value])));
      // `open http://localhost:3000/api/docs`: the page a browser would show.
      expect((await request(t.http).get('/api/docs/')).status).toBe(200);
      expect((await request(t.http).get('/api/openapi.json')).status).toBe(200);
    },
    SLOW,
  );

  it(
    "Writing an agent: validate, test, run, plan and render on the project's own agents",
    async () => {
      const ran = await runBlock(blockWith('npx trellis validate agents/'));
      expect(ok(ran, 'validate agents/')).toMatch(/^(\d+) agents checked: \1 valid, 0 invalid; 0 errors, 0 warnings$/m);
      expect(ok(ran, 'test agents/')).toMatch(/^\d+ tests, (\d+) passed, 0 failed$/m);
      const run = ok(ran, 'run hello-world --input who=Ada');
      expect(run).toContain('hello-world: COMPLETED');
      expect(run).toContain('greeting: ["Hello, Ada!"]');
      expect(ok(ran, 'plan agents/')).toContain('`hello-world`');
      expect(ok(ran, 'analyze daily-digest')).toContain('credits per run: 2 to 4');
      ok(ran, 'render hello-world --format svg > hello.svg');
      expect(readFileSync(join(project, 'hello.svg'), 'utf8')).toMatch(/^<svg /);
    },
    SLOW,
  );

  it(
    'Against a running server: a key, push, plan, run --watch, executions, credentials, keys and reviews',
    async () => {
      const block = blockWith('npx trellis push');
      // `executions show <id>`: the run's execution, made first by the block's own run --watch.
      const first = await runBlock({ ...block, body: block.body.filter((line) => !line.includes('<id>')) });
      const executions = await request(t.http).get('/api/executions?graph_id=hello-world').set('X-API-Key', TEST_ADMIN_KEY).expect(200);
      placeholders.set('<id>', (executions.body.items as Array<{ id: string }>)[0]!.id);
      const ran = [...first, ...(await runBlock({ ...block, body: block.body.filter((line) => line.includes('export ') || line.includes('<id>')) }))];
      ok(ran, 'keys create --user admin');
      expect(ok(ran, 'npx trellis push')).toMatch(/sync|unchanged|applied/i);
      expect(ok(ran, 'npx trellis plan')).toContain('hello-world');
      const watched = ok(ran, 'run hello-world --input who=Ada --watch');
      expect(watched).toContain('COMPLETED');
      expect(ok(ran, 'executions list')).toContain('hello-world');
      expect(ok(ran, 'executions show <id>')).toContain('hello-world');
      ok(ran, 'credentials set my-openai --provider openai');
      const credential = await request(t.http).get('/api/integrations/credentials/my-openai').set('X-API-Key', TEST_ADMIN_KEY).expect(200);
      expect(credential.body).toMatchObject({ name: 'my-openai', provider: 'openai' });
      expect(JSON.stringify(credential.body)).not.toContain('sk-readme-test');
      expect(ok(ran, 'keys create --name laptop --scopes executions:read')).toMatch(/\S/);
      ok(ran, 'reviews list');
    },
    SLOW,
  );
});
