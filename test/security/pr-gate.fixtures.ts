// The PR gate's launchers: the package packed, installed from the tarball and installed globally into a
// temporary prefix, an `npm link` into another, and child processes run through each with a small,
// explicit environment.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * PATH and HOME (npm's cache and config) only: no DATABASE_URL or REDIS_URL unless a test adds them. And Node's
 * compile cache when the run has one (test/compile-cache.js): a cache of compiled code, not a setting of trellis.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const cache = process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {};
  return { PATH: process.env.PATH, HOME: process.env.HOME, TRELLIS_ENV: 'test', ...cache, ...extra };
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
  /** The temporary folder holding the tarball, the project it is installed into and both prefixes. */
  dir: string;
  tarball: string;
  /** A temporary project where `npm install <tarball>` installed the package and its production dependencies. */
  project: string;
  /** `<prefix>/bin/trellis` of `npm install --global --prefix <prefix>` of the installed package. */
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
 * `npm pack` of the current build (see ensureBuilt), then `npm install` of the
 * tarball into a temporary project and `npm install --global` of the installed package into a temporary
 * prefix (the global bin layout: <prefix>/bin/trellis -> lib/node_modules/trellis/bin/trellis.js).
 *
 * npm resolves the tarball's dependencies from its package.json and prunes everything else, so the bin runs
 * with production dependencies only. It finds them in a hard-linked copy of this project's node_modules
 * instead of extracting ~300 MB from its cache: ~10 s instead of ~30 s, measured on this machine.
 */
export function packAndInstall(): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-pr-gate-'));
  const timings = { pack: 0, install: 0, link: 0 };
  let started = Date.now();
  // The build is current (ensureBuilt), so the prepack script (`npm run build`, checked by the test) is skipped.
  npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
  timings.pack = Date.now() - started;
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);

  started = Date.now();
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "trellis-pr-gate-install", "private": true }\n');
  copyNodeModules(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', join(dir, tarball)], project);
  const installedPackage = join(project, 'node_modules', 'trellis');
  const prefix = join(dir, 'global');
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', installedPackage], dir);
  timings.install = Date.now() - started;

  const linkPrefix = join(dir, 'linked');
  started = Date.now();
  npm(['link', '--no-audit', '--no-fund'], ROOT, childEnv({ NPM_CONFIG_PREFIX: linkPrefix }));
  timings.link = Date.now() - started;

  return {
    dir,
    tarball: join(dir, tarball),
    project,
    globalBin: join(prefix, 'bin', 'trellis'),
    globalPackage: installedPackage,
    linkedBin: join(linkPrefix, 'bin', 'trellis'),
    timings,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A hard-linked copy (seconds), or a full copy across file systems. npm's pruning only unlinks names in the
 * copy, but npm rewrites its hidden lockfile in place: the copy's is removed first, or the rewrite would
 * reach the project's own (and every other hard link of it).
 */
function copyNodeModules(from: string, to: string): void {
  const linked = spawnSync('cp', ['-al', from, to], { encoding: 'utf8' });
  if (linked.status !== 0) {
    rmSync(to, { recursive: true, force: true });
    const copied = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
    if (copied.status !== 0) throw new Error(`could not copy ${from} to ${to}: ${linked.stderr} ${copied.stderr}`);
  }
  rmSync(join(to, '.package-lock.json'), { force: true });
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
  const match =
    (await waitFor(
      () => (code !== undefined ? `exited ${code}` : /Trellis is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]),
      (found) => Boolean(found),
      { timeoutMs, intervalMs: 100, what: `"${command} ${args.join(' ')}" to listen` },
    ).catch(() => undefined)) ?? `did not listen within ${timeoutMs} ms`;
  if (match.startsWith('http')) return { url: match, output: () => output, stop };
  await stop();
  throw new Error(`${command} ${args.join(' ')}: ${match}:\n${output.slice(-3000)}`);
}

export const installedFile = (installed: Installed, path: string): boolean => existsSync(join(installed.globalPackage, path));

/**
 * A test database for a describe block, made in its beforeAll and dropped in its afterAll. One connection
 * holds it meanwhile: a concurrent test run's global setup drops idle trellis_t_* databases it takes for
 * leftovers (test/global-setup.js), and between two child processes ours is idle.
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
