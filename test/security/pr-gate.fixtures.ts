// The PR gate's launchers: the package packed, installed from the tarball and installed globally into a
// prefix (kept for the next run while what npm packs is unchanged), an `npm link` into a temporary prefix,
// and child processes run through each with a small, explicit environment.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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
  /** The temporary folder holding the npm link prefix. */
  dir: string;
  /** What npm pack wrote (kept with the cached install). */
  tarball: string;
  /** A project where `npm install <tarball>` installed the package and its production dependencies. */
  project: string;
  /** `<prefix>/bin/trellis` of `npm install --global --prefix <prefix>` of the installed package. */
  globalBin: string;
  /** The installed package folder (what the tarball carried). */
  globalPackage: string;
  /** `<prefix>/bin/trellis` of `npm link` run in the project with NPM_CONFIG_PREFIX=<prefix>. */
  linkedBin: string;
  /** Milliseconds of each step; pack and install are those of an earlier run when `reused`. */
  timings: { pack: number; install: number; link: number };
  /** Whether an earlier run's pack and install of the same inputs were reused (see packedInstall). */
  reused: boolean;
  /** Removes the temporary folder (the cached install stays for the next run). */
  remove(): void;
}

/**
 * `npm pack` of the current build (see ensureBuilt), then `npm install` of the tarball into a project and
 * `npm install --global` of the installed package into a prefix (the global bin layout:
 * <prefix>/bin/trellis -> lib/node_modules/trellis/bin/trellis.js), and `npm link` into a temporary prefix.
 * The link runs every time; the pack and the two installs are cached (packedInstall). Call under the build lock.
 */
export function packAndInstall(): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-pr-gate-'));
  const install = packedInstall();
  const linkPrefix = join(dir, 'linked');
  const started = Date.now();
  npm(['link', '--no-audit', '--no-fund'], ROOT, childEnv({ NPM_CONFIG_PREFIX: linkPrefix }));
  const link = Date.now() - started;

  return {
    dir,
    tarball: install.tarball,
    project: install.project,
    globalBin: join(install.prefix, 'bin', 'trellis'),
    globalPackage: install.installedPackage,
    linkedBin: join(linkPrefix, 'bin', 'trellis'),
    timings: { pack: install.pack, install: install.install, link },
    reused: install.reused,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Cached packs and installs, one folder per key (installKey); this checkout's own, like its build lock. */
const INSTALL_CACHE = join(ROOT, 'node_modules', '.cache', 'trellis-pr-gate');
/** Written last into a cached install (the pack's and the installs' milliseconds): a folder without it is a run that died half-way, and is made again. */
const COMPLETE = '.complete';
/** A cached install not used for this long (another key: an older build) is removed. */
const UNUSED_MS = 3_600_000;

interface PackedInstall {
  tarball: string;
  project: string;
  prefix: string;
  installedPackage: string;
  /** Milliseconds of the pack and of the two installs (an earlier run's when reused). */
  pack: number;
  install: number;
  reused: boolean;
}

/**
 * Why the pack and the install may be cached, and what they are keyed on: the two `npm install`s were most of
 * the PR gate's time (~36 s of ~160 s under load, most of its CPU), and `npm pack` ~1.5 s of CPU of the rest;
 * both give the same result for the same inputs. Those inputs are the key (installKey): what npm pack reads,
 * the lockfile and installed tree the dependencies are copied from, and the Node and npm that pack and install.
 * A change to any of them (a compiled file, the bin, package.json's dependencies or `files`) packs and installs
 * afresh, and the tarball checks then test that pack. Under the build lock (the caller holds it), so two runs of
 * this checkout never write one folder.
 */
function packedInstall(): PackedInstall {
  const key = installKey();
  const folder = join(INSTALL_CACHE, key);
  const project = join(folder, 'project');
  const prefix = join(folder, 'global');
  const installedPackage = join(project, 'node_modules', 'trellis');
  const marker = join(folder, COMPLETE);
  const packed = () => join(folder, readdirSync(folder).find((name) => name.endsWith('.tgz')) ?? 'no-tarball.tgz');
  removeUnusedInstalls(key);
  if (existsSync(marker)) {
    utimesSync(marker, new Date(), new Date()); // in use: not pruned as unused
    const { pack, install } = JSON.parse(readFileSync(marker, 'utf8')) as { pack: number; install: number };
    return { tarball: packed(), project, prefix, installedPackage, pack, install, reused: true };
  }
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  let started = Date.now();
  // The build is current (ensureBuilt), so the prepack script (`npm run build`, checked by the test) is skipped.
  npm(['pack', '--ignore-scripts', '--pack-destination', folder], ROOT);
  const pack = Date.now() - started;
  const tarball = packed();
  if (!existsSync(tarball)) throw new Error(`npm pack wrote no tarball into ${folder}`);
  started = Date.now();
  writeFileSync(join(project, 'package.json'), '{ "name": "trellis-pr-gate-install", "private": true }\n');
  copyNodeModules(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', tarball], project);
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', installedPackage], folder);
  const install = Date.now() - started;
  writeFileSync(marker, JSON.stringify({ pack, install }));
  return { tarball, project, prefix, installedPackage, pack, install, reused: false };
}

/**
 * The inputs of a pack and an install. What npm pack reads: every file under the paths package.json's `files`
 * and `bin` name, and every file at the top of the checkout (package.json, the README, .npmignore, .gitignore
 * and the rest: more than npm reads there, never less), each by name and bytes; npm pack is deterministic, so
 * the same inputs make the same tarball. Then the lockfile (package-lock.json, a top file) and the installed tree
 * the dependencies are copied from (node_modules/.package-lock.json), and the Node and npm that pack and install.
 */
function installKey(): string {
  const hash = createHash('sha256');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files?: string[]; bin?: string | Record<string, string> };
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const topFiles = readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  for (const path of [...new Set([...(pkg.files ?? []), ...bins, ...topFiles])].sort()) hashTree(hash, path);
  hash.update(existsSync(join(ROOT, 'node_modules', '.package-lock.json')) ? readFileSync(join(ROOT, 'node_modules', '.package-lock.json')) : '-');
  // npm sets npm_config_user_agent (npm, Node, platform) for the scripts it runs, jest's included.
  hash.update(`${process.version} ${process.env.npm_config_user_agent ?? ''}`);
  return hash.digest('hex').slice(0, 32);
}

/** Adds a file or every file of a folder below ROOT (sorted, by relative path and bytes) to `hash`; a missing path as such. */
function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  const full = join(ROOT, path);
  if (!existsSync(full)) return void hash.update(`missing ${path}\0`);
  if (!statSync(full).isDirectory()) return void hash.update(`file ${path}\0`).update(readFileSync(full)).update('\0');
  for (const name of readdirSync(full).sort()) hashTree(hash, join(path, name));
}

/** Removes cached installs of other keys that no run has used for an hour (a concurrent run may still use a recent one). */
function removeUnusedInstalls(current: string): void {
  if (!existsSync(INSTALL_CACHE)) return;
  for (const name of readdirSync(INSTALL_CACHE)) {
    if (name === current) continue;
    const marker = join(INSTALL_CACHE, name, COMPLETE);
    const used = existsSync(marker) ? statSync(marker).mtimeMs : 0;
    if (Date.now() - used > UNUSED_MS) rmSync(join(INSTALL_CACHE, name), { recursive: true, force: true });
  }
}

/**
 * A hard-linked copy of each entry but .cache (eslint's, prettier's, these installs), or a full copy across
 * file systems. npm resolves the tarball's dependencies from its package.json and prunes everything else, so
 * the bin runs with production dependencies only; it finds them here instead of extracting ~300 MB from its
 * cache (~10 s instead of ~30 s, measured on this machine). npm's pruning only unlinks names in the copy, but
 * npm rewrites its hidden lockfile in place: the copy's is removed first, or the rewrite would reach the
 * project's own (and every other hard link of it).
 */
function copyNodeModules(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  const entries = readdirSync(from)
    .filter((name) => name !== '.cache')
    .map((name) => join(from, name));
  const linked = spawnSync('cp', ['-al', ...entries, to], { encoding: 'utf8' });
  if (linked.status !== 0) {
    rmSync(to, { recursive: true, force: true });
    mkdirSync(to, { recursive: true });
    const copied = spawnSync('cp', ['-a', ...entries, to], { encoding: 'utf8' });
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
