// The one DataSource factory: the app, the CLI (`trellis migrate`) and the tests share it.
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

export interface DataSourceOptions {
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  applicationName?: string;
}

export function createDataSource({ url, poolSize = 20, applicationName = 'trellis' }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // uuid defaults are gen_random_uuid() (core since Postgres 13): no extension to install, no superuser needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: false,
    applicationName,
    extra: { max: Math.max(2, poolSize), connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 },
  });
}
