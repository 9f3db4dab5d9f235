// The embedded Postgres server process. It runs in a process group of its own, so a terminal's Ctrl-C
// reaches Trellis alone, which closes its connections before it stops the database (a shared group
// stopped Postgres under the running app: stack traces on every Ctrl-C). Also: which process already
// runs a cluster on a data folder (its postmaster.pid), so a second command can say so, or share it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { processEnvironment } from '../config/environment.js';

/** A Postgres server already running on a data folder: its process id and port. */
export interface ClusterHolder {
  pid: number;
  port: number;
}

/** The live server on `databaseDir` (postmaster.pid names a running process), or null. */
export function runningCluster(databaseDir: string): ClusterHolder | null {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, run by another user. ESRCH: a stale file of a crashed server, which Postgres itself clears.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return { pid, port };
}

export interface PostgresProcess {
  pid: number;
  /** Fast shutdown (SIGINT), then SIGQUIT if it has not stopped within 10 s. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  binary: string;
  databaseDir: string;
  port: number;
  flags: string[];
  /** As root, Postgres runs as the `postgres` system user. */
  ids?: { uid: number; gid: number };
  log: Logger;
}

const READY = 'database system is ready to accept connections';
const STOP_GRACE_MS = 10_000;

/** Starts `postgres` detached (its own process group) and resolves once it accepts connections. */
export function spawnPostgres(options: SpawnOptions): Promise<PostgresProcess> {
  const { databaseDir, log } = options;
  const child = spawn(options.binary, ['-D', databaseDir, '-p', String(options.port), ...options.flags], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...processEnvironment(), LC_MESSAGES: 'C' },
    ...(options.ids ?? {}),
  });
  const recent: string[] = [];
  let ready = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  // If this process ends without stopping it (an uncaught error, process.exit), the database goes too.
  const onExit = () => {
    if (running()) child.kill('SIGINT');
  };
  process.on('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    if (!running()) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => running() && child.kill('SIGQUIT'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n')) if (line.trim()) log.debug({ message: line.trim() });
      if (!ready) {
        recent.push(...text.split('\n').filter((line) => line.trim()));
        recent.splice(0, Math.max(0, recent.length - 5));
        if (text.includes(READY)) {
          ready = true;
          resolve({ pid: child.pid!, stop });
        }
      }
    });
    child.once('error', (error) => {
      process.removeListener('exit', onExit);
      reject(new Error(`could not run the embedded Postgres (${options.binary}): ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      process.removeListener('exit', onExit);
      if (ready) return;
      const said = recent.length ? `; it said: ${recent.join(' | ')}` : '';
      reject(new Error(`the embedded Postgres in ${databaseDir} stopped while starting (${signal ?? `exit code ${code}`})${said}`));
    });
  });
}
