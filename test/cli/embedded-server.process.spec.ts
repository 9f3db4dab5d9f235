// `trellis start` on the embedded Postgres, as a person runs it in a terminal: while it runs, the local
// commands share its database (or say why they may not) and the remote ones reach it; Ctrl-C (SIGINT to
// the whole process group, as a terminal sends it) closes the app, then the database, exit 0, no stack trace.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runningCluster } from '../../src/database/embedded-process.js';
import { ensureBuilt, ROOT, TRELLIS_BIN } from '../helpers/built.js';

const ADMIN_KEY = 'process-admin-key-0123456789';
/** The first start initialises the cluster; children start slowly on a busy machine. */
const SLOW = 240_000;

let dir: string;
let port: number;
let server: ChildProcess;
let serverOut = '';
let serverErr = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function environment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, TRELLIS_ENV: 'test', TRELLIS_ADMIN_API_KEY: ADMIN_KEY, PORT: String(port), LOG_LEVEL: 'info' };
}

function trellis(args: string[], env: NodeJS.ProcessEnv = environment()): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TRELLIS_BIN, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Resolves when `probe` holds on what the server printed so far; rejects when it exits first or the bound passes. */
function serverPrinted(probe: (out: string) => boolean, what: string, ms = SLOW - 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${what} within ${ms} ms; stdout: ${serverOut.slice(-2000)} stderr: ${serverErr.slice(-2000)}`)), ms);
    const check = () => probe(serverOut) && finish();
    const exited = () => finish(new Error(`the server exited before ${what}; stdout: ${serverOut.slice(-2000)} stderr: ${serverErr.slice(-2000)}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      server.stdout!.off('data', check);
      server.off('exit', exited);
      if (error) reject(error);
      else resolve();
    }
    server.stdout!.on('data', check);
    server.once('exit', exited);
    check();
  });
}

describe('the embedded database, shared by the server and the CLI', () => {
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'trellis-start-'));
    mkdirSync(join(dir, 'agents'));
    copyFileSync(join(ROOT, 'agents', 'hello-world.yaml'), join(dir, 'agents', 'hello-world.yaml'));
    port = await freePort();
    // Its own process group (detached), so the test can signal the group the way a terminal's Ctrl-C does.
    server = spawn(process.execPath, [TRELLIS_BIN, 'start'], { cwd: dir, env: environment(), detached: true });
    server.stdout!.on('data', (chunk: Buffer) => void (serverOut += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => void (serverErr += chunk.toString()));
    await serverPrinted((out) => out.includes('Trellis is listening on'), 'listening line');
  }, SLOW);

  afterAll(() => {
    if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid!, 'SIGKILL');
    const holder = runningCluster(join(dir, '.trellis', 'postgres'));
    if (holder) process.kill(holder.pid, 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  });

  describe('trellis start on the embedded Postgres', () => {
    it(
      'plan and keys create share the running server database; sync refuses and points to --server',
      async () => {
        const plan = await trellis(['plan']);
        expect(plan.stderr).toBe('');
        expect(plan).toMatchObject({ status: 0, stdout: expect.stringContaining('hello-world') });
        const sync = await trellis(['sync']);
        expect(sync.status).toBe(1);
        expect(sync.stderr).toMatch(
          /^The embedded database in .* is in use by another process \(Postgres pid \d+, port \d+\), most likely a running `trellis start`\./,
        );
        expect(sync.stderr).toContain('trellis sync --server http://127.0.0.1:');
        const keys = await trellis(['keys', 'create', '--user', 'admin', '--scopes', 'executions:read']);
        expect(keys.status).toBe(0);
        expect(keys.stdout).toMatch(/^trl_\S+\n$/);
        const list = await trellis(['executions', 'list', '--server', `http://127.0.0.1:${port}`, '--api-key', keys.stdout.trim()]);
        expect(list).toMatchObject({ status: 0, stderr: 'no executions\n' });
      },
      SLOW,
    );

    it(
      'a second start on the same folder says who holds the database, without a stack trace',
      async () => {
        const second = await trellis(['start'], { ...environment(), PORT: String(await freePort()) });
        expect(second.status).toBe(1);
        expect(second.stderr).toMatch(/^Trellis could not start: The embedded database in .* is in use by another process .*Stop the other server first/);
        expect(second.stderr).not.toMatch(/\n\s+at /);
      },
      SLOW,
    );

    it(
      'Ctrl-C to the process group stops the app, then the database: exit 0, no stack trace',
      async () => {
        const databaseDir = join(dir, '.trellis', 'postgres');
        const holder = runningCluster(databaseDir);
        expect(holder).not.toBeNull();
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          server.once('exit', (code, signal) => resolve({ code, signal })),
        );
        process.kill(-server.pid!, 'SIGINT');
        expect(await exited).toEqual({ code: 0, signal: null });
        expect(serverErr).toBe('');
        expect(serverOut).not.toMatch(/\n\s+at |"stack"|"level":"error"|"level":"fatal"/);
        const closing = serverOut.indexOf('shutting down: closing the app, then the database');
        expect(closing).toBeGreaterThan(0);
        expect(serverOut.indexOf('"msg":"stopped"')).toBeGreaterThan(closing);
        expect(runningCluster(databaseDir)).toBeNull();
        expect(() => process.kill(holder!.pid, 0)).toThrow();
      },
      SLOW,
    );
  });
});
