// The one DataSource factory: the app, the CLI (`trellis migrate`) and the tests share it. The entities come
// from the caller: the app root lists them (src/entities.ts, openDataSource), since every feature is above
// database/ in the layers.
import { DataSource, type DataSourceOptions as TypeOrmOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';

export interface DataSourceOptions {
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  applicationName?: string;
}

/**
 * Opens a DataSource over every entity; the CLI's commands receive it from src/cli.ts (src/entities.ts).
 * It may answer a promise: the CLI loads the entities (TypeORM) only when a command opens the database.
 */
export type OpenDataSource = (options: DataSourceOptions) => DataSource | Promise<DataSource>;

export function createDataSource(
  entities: NonNullable<TypeOrmOptions['entities']>,
  { url, poolSize = 20, applicationName = 'trellis' }: DataSourceOptions,
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
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
