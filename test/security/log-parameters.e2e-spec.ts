// Log lines never print SQL parameters (release-2.md section 1): a real TypeORM query that fails carries
// every bound value in QueryFailedError.parameters (a node's data, possibly secrets), and Postgres quotes
// row values in the driver error's `detail`. Our logger (and Nest's adapter over it) prints neither.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryFailedError, type DataSource } from 'typeorm';
import { createLogger, PinoNestLogger } from '../../src/common/logger.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';

const SECRET = 'param-secret-7f3a9c1e5b';

describe('log serializers and SQL parameters', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let failure: QueryFailedError;

  beforeAll(async () => {
    database = await createTestDatabase('logparams');
    dataSource = await connect(database.url);
    await dataSource.query('CREATE TABLE secret_probe (v text UNIQUE, n int)');
    await dataSource.query('INSERT INTO secret_probe (v, n) VALUES ($1, $2)', [SECRET, 1]);
    failure = await dataSource.query('INSERT INTO secret_probe (v, n) VALUES ($1, $2)', [SECRET, 2]).then(
      () => {
        throw new Error('the duplicate insert should have failed');
      },
      (error: unknown) => error as QueryFailedError,
    );
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('the failure is real: TypeORM carries the secret in parameters and the driver in detail', () => {
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure.parameters).toContain(SECRET);
    expect(JSON.stringify((failure as unknown as { driverError: { detail: string } }).driverError.detail)).toContain(SECRET);
  });

  it('no way of logging the error prints a parameter or a quoted row value', () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    logger.error({ err: failure }, 'could not write an execution step');
    logger.error(failure);
    logger.warn({ err: new Error('the step failed', { cause: failure }) }, 'wrapped');
    logger.warn({ err: new AggregateError([failure], 'several failed') }, 'aggregate');
    logger.warn({ error: failure }, 'logged under error');
    new PinoNestLogger(logger).error(failure);
    new PinoNestLogger(logger).error('Nest says', String(failure.stack), 'TypeOrmModule');

    expect(lines).toHaveLength(7);
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([]);
    const first = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    // What helps a person stays: the type, message, SQLSTATE, constraint and the query text.
    expect(first.err).toMatchObject({
      type: 'QueryFailedError',
      code: '23505',
      constraint: 'secret_probe_v_key',
      query: 'INSERT INTO secret_probe (v, n) VALUES ($1, $2)',
    });
    expect(first.err.parameters).toBeUndefined();
    expect(String(first.err.detail)).toMatch(/omitted/);
    expect(JSON.parse(lines[5]!)).toMatchObject({ err: { type: 'QueryFailedError' } });
  });

  it('the logged error object itself is left as it was', () => {
    expect(failure.parameters).toEqual([SECRET, 2]);
  });
});
