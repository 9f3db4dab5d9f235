import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { pino } from 'pino';
import { QueryFailedError } from 'typeorm';
import { AllErrorsFilter, isDatabaseUnavailable } from './error.filter.js';
import { AppError } from './errors.js';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a terminated backend (57P01) inside a TypeORM QueryFailedError',
      new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection due to administrator command')),
    ],
    ['a database refusing connections (55000)', pgError('55000', 'database "x" is not currently accepting connections')],
    ['Postgres starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['too many connections (53300)', pgError('53300', 'sorry, too many clients already')],
    ['a connection exception class 08', pgError('08006', 'connection failure')],
    ['a refused TCP connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
  ])('is true for %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key value violates unique constraint'))],
    ['a missing table (42P01)', pgError('42P01', 'relation "nope" does not exist')],
    ['an AppError', new AppError('NOT_FOUND', 'No such thing')],
    ['a plain bug', new TypeError('x is not a function')],
    ['nothing at all', undefined],
  ])('is false for %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('AllErrorsFilter', () => {
  const filter = new AllErrorsFilter(pino({ level: 'silent' }));
  const request = { method: 'GET', path: '/api/executions', headers: { 'x-request-id': 'req-1' } } as unknown as Request;

  it('answers 503 UNAVAILABLE with Retry-After when the database is away, without internals', () => {
    const answer = filter.toAnswer(
      new QueryFailedError('SELECT secret_column FROM t', [], pgError('57P01', 'terminating connection due to administrator command')),
      request,
    );
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual({ 'Retry-After': '5' });
    expect(answer.body.error).toMatchObject({ code: 'UNAVAILABLE', details: {}, request_id: 'req-1' });
    expect(answer.body.error.message).toMatch(/database is unreachable/);
    expect(JSON.stringify(answer.body)).not.toMatch(/secret_column|administrator/);
  });

  it('still answers 500 INTERNAL for other database errors', () => {
    const answer = filter.toAnswer(new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key')), request);
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('INTERNAL');
  });
});
