// Runs the image's runtime stage without a Docker engine: its files laid out as the Dockerfile copies
// them into a temporary WORKDIR, its ENV, its CMD started as a child process, its HEALTHCHECK run as is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { envOf, instructionsOf, type Stage } from './dockerfile.js';
import { waitFor } from '../helpers/wait.js';

const WORKDIR = '/app';

/** `docker compose` or `docker-compose`, whichever answers here, or null when neither is installed. */
export function composeClient(): string[] | null {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return command;
  }
  return null;
}

/** Compose's interpolation (`${VAR}`, `${VAR:-default}`, `${VAR:?message}`) of a service's environment. */
export function resolveComposeEnv(environment: Record<string, string>, hostEnv: Record<string, string>): Record<string, string> {
  const resolve = (text: string) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
      const value = hostEnv[name];
      if (value) return value;
      if (kind === '?') throw new Error(`compose would refuse to start: ${name}: ${rest}`);
      return kind === '-' ? (rest ?? '') : '';
    });
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, resolve(String(value))]));
}

/** The bare package names that compiled files import (node built-ins left out). */
export function importedPackages(dir: string): string[] {
  const names = new Set<string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) {
        const text = readFileSync(path, 'utf8');
        const statics = text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm);
        const dynamics = text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
        // A package loaded when first needed through createRequire (`const require = createRequire(import.meta.url)`).
        const requires = text.matchAll(/(?<![.\w$])require\(\s*['"]([^'"]+)['"]\s*\)/g);
        for (const match of [...statics, ...dynamics, ...requires]) {
          const specifier = (match[1] ?? match[2])!;
          if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) continue;
          names.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
        }
      }
    }
  };
  walk(dir);
  return [...names].sort();
}

export interface RunningImage {
  url: string;
  /** Runs the Dockerfile's HEALTHCHECK command as the engine would; answers its exit code. */
  healthcheck(): Promise<number>;
  /** What the process wrote to stdout and stderr so far. */
  log(): string;
  /** SIGTERM, as `docker stop` sends; answers the exit code. */
  stop(): Promise<number | null>;
}

/** Lays out the runtime stage's files under a temporary WORKDIR and starts its CMD there. */
export async function startImage(options: { root: string; runtime: Stage; env: Record<string, string> }): Promise<RunningImage> {
  const { root, runtime } = options;
  const workdir = mkdtempSync(join(tmpdir(), 'trellis-image-'));
  const inImage = (path: string) =>
    path.startsWith(`${WORKDIR}/`) ? join(workdir, path.slice(WORKDIR.length + 1)) : path.startsWith('/') ? path : join(workdir, path);
  for (const copy of instructionsOf(runtime, 'COPY')) {
    const parts = copy.args.split(/\s+/);
    const destination = parts.at(-1)!;
    for (const source of parts.slice(0, -1)) {
      // --from=build: the build stage's WORKDIR is this checkout after `npm run build` (bench is not copied there).
      const from = copy.flags.from ? join(root, relative(WORKDIR, source)) : join(root, source);
      const to = destination.endsWith('/') ? join(inImage(destination), source.split('/').at(-1)!) : inImage(destination);
      cpSync(from, to, { recursive: true, filter: (path) => !path.startsWith(join(root, 'dist', 'bench')) && !path.endsWith('.tsbuildinfo') });
    }
  }
  // Stands in for `npm install --omit=dev` (importedPackages checks dist needs nothing beyond dependencies).
  symlinkSync(join(root, 'node_modules'), join(workdir, 'node_modules'));
  mkdirSync(join(workdir, '.trellis'), { recursive: true });

  const port = await freePort();
  const imageEnv = Object.fromEntries(Object.entries(envOf(runtime)).map(([name, value]) => [name, value.startsWith(WORKDIR) ? inImage(value) : value]));
  const env = { PATH: process.env.PATH ?? '', ...imageEnv, ...options.env, PORT: String(port) };
  const cmd = instructionsOf(runtime, 'CMD').at(-1)!.exec!;
  const child: ChildProcess = spawn(cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1), { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const health = instructionsOf(runtime, 'HEALTHCHECK')[0]!;
  const healthcheck = async () => {
    const [command, ...args] = health.exec!.slice(health.exec!.indexOf('CMD') + 1);
    const result = spawnSync(command === 'node' ? process.execPath : command!, args, { env, timeout: 3_000 });
    return result.status ?? -1;
  };
  const url = `http://127.0.0.1:${port}`;
  const image: RunningImage = {
    url,
    healthcheck,
    log: () => output,
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      const code = await exited;
      rmSync(workdir, { recursive: true, force: true });
      return code;
    },
  };
  try {
    await waitFor(
      async () =>
        exitCode !== undefined
          ? 'exited'
          : await fetch(`${url}/health`).then(
              (r) => r.status,
              () => 0,
            ),
      (status) => status === 200 || status === 'exited',
      {
        timeoutMs: 120_000,
        intervalMs: 200,
        what: 'the entry command to answer /health',
      },
    );
  } catch (error) {
    await image.stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  if (exitCode !== undefined) throw new Error(`the entry command exited with ${exitCode} before answering /health:\n${output}`);
  return image;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
