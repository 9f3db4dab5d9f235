// The PR gate's launchers: the package packed and installed globally into a temporary prefix, an
// `npm link` into another, and child processes run through each with a small, explicit environment.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import type { TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/wait.js';

export const ROOT = process.cwd();

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** PATH and HOME (npm's cache and config) only: no DATABASE_URL or REDIS_URL unless a test adds them. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TRELLIS_ENV: 'test', ...extra };
}

export function run(command: string, args: string[], cwd: string, env = childEnv(), timeout = 120_000): Ran {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout });
  if (result.error) throw new Error(`${command} ${args.join(' ')} could not run: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function npm(args: string[], cwd: string, env = childEnv()): Ran {
  const result = run('npm', args, cwd, env, 600_000);
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
  return result;
}

export interface Installed {
  /** The temporary folder holding the tarball and both prefixes. */
  dir: string;
  tarball: string;
  /** `<prefix>/bin/trellis` of `npm install -g --prefix <prefix> <tarball>`. */
  globalBin: string;
  /** The installed package folder (what the tarball carried). */
  globalPackage: string;
  /** `<prefix>/bin/trellis` of `npm link` run in the project with NPM_CONFIG_PREFIX=<prefix>. */
  linkedBin: string;
  /** Milliseconds of each step. */
  timings: { pack: number; install: number; link: number };
  remove(): void;
}

/**
 * `npm pack` (its prepack script builds dist/; incremental, so a current build costs seconds), then a
 * global install of the tarball into a temporary prefix. Dependencies come from npm's cache when it has
 * them (--prefer-offline); --offline would fail on a machine whose cache holds no package metadata yet.
 */
export function packAndInstall(): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-pr-gate-'));
  const timings = { pack: 0, install: 0, link: 0 };
  let started = Date.now();
  npm(['pack', '--pack-destination', dir], ROOT);
  timings.pack = Date.now() - started;
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);

  const prefix = join(dir, 'global');
  started = Date.now();
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], dir);
  timings.install = Date.now() - started;

  const linkPrefix = join(dir, 'linked');
  started = Date.now();
  npm(['link', '--no-audit', '--no-fund'], ROOT, childEnv({ NPM_CONFIG_PREFIX: linkPrefix }));
  timings.link = Date.now() - started;

  return {
    dir,
    tarball: join(dir, tarball),
    globalBin: join(prefix, 'bin', 'trellis'),
    globalPackage: join(prefix, 'lib', 'node_modules', 'trellis'),
    linkedBin: join(linkPrefix, 'bin', 'trellis'),
    timings,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Server {
  url: string;
  output(): string;
  /** SIGTERM to the process group; answers the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running command in a process group of its own and waits for "Trellis is listening on <url>". */
export async function startServer(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<Server> {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const stop = async () => {
    if (code === undefined) process.kill(-child.pid!, 'SIGTERM');
    return exited;
  };
  const match = await waitFor(
    () => (code !== undefined ? `exited ${code}` : /Trellis is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]),
    (found) => Boolean(found),
    { timeoutMs, intervalMs: 100, what: `"${command} ${args.join(' ')}" to listen` },
  ).catch(() => undefined) ?? `did not listen within ${timeoutMs} ms`;
  if (match.startsWith('http')) return { url: match, output: () => output, stop };
  await stop();
  throw new Error(`${command} ${args.join(' ')}: ${match}:\n${output.slice(-3000)}`);
}

export const installedFile = (installed: Installed, path: string): boolean => existsSync(join(installed.globalPackage, path));

/**
 * A test database for a describe block, made in its beforeAll and dropped in its afterAll. One connection
 * holds it meanwhile: a concurrent test run's global setup drops every idle trellis_t_* database, and
 * between two child processes ours is idle.
 */
export function heldDatabase(create: () => Promise<TestDatabase>): () => TestDatabase {
  let database: TestDatabase | undefined;
  let hold: pg.Client | undefined;
  beforeAll(async () => {
    database = await create();
    hold = new pg.Client({ connectionString: database.url, application_name: 'trellis-test-hold' });
    await hold.connect();
  });
  afterAll(async () => {
    await hold?.end();
    await database?.drop();
  });
  return () => database!;
}
