import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/** Starts the app on a database the test owns, with no configured admin key, as a separate process start would. */
const start = (database: TestDatabase, env: Record<string, string> = {}): Promise<TestApp> =>
  createTestApp({ label: 'bootstrap', database, env: { TRELLIS_ADMIN_API_KEY: '', ...env } });
const stop = (started: TestApp): Promise<void> => started.close();

const KEY_LINE = /^ {4}(trl_[A-Za-z0-9_-]{43})$/m;

describe('start-up: the admin user and its first key', () => {
  let database: TestDatabase;
  let printed: string[];
  let spy: ReturnType<typeof jest.spyOn>;

  beforeEach(async () => {
    database = await createTestDatabase('bootstrap');
    printed = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });
  afterEach(async () => {
    spy.mockRestore();
    await database.drop();
  });

  const printedKeys = () => printed.join('').match(new RegExp(KEY_LINE.source, 'gm')) ?? [];

  it('creates admin with its credit grant, prints a working admin key once, and never again', async () => {
    const first = await start(database);
    try {
      expect(printedKeys()).toHaveLength(1);
      expect(printed.join('')).toContain('shown this once and never again');
      const key = KEY_LINE.exec(printed.join(''))![1]!;
      const me = await request(first.app.getHttpServer()).get('/api/user').set('X-API-Key', key).expect(200);
      expect(me.body).toMatchObject({ handle: 'admin', role: 'admin' });
      await request(first.app.getHttpServer()).get('/api/admin/users').set('X-API-Key', key).expect(200);
      const grant = await first.dataSource.query(
        `SELECT b.balance, t.type, t.amount, t.running_balance FROM users u JOIN credit_balances b ON b.user_id = u.id JOIN credit_transactions t ON t.user_id = u.id WHERE u.handle = 'admin'`,
      );
      expect(grant).toEqual([{ balance: '1000', type: 'GRANT', amount: '1000', running_balance: '1000' }]);
    } finally {
      await stop(first);
    }

    printed.length = 0;
    const second = await start(database);
    try {
      expect(printedKeys()).toHaveLength(0);
      const admins = await second.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE handle = 'admin'`);
      expect(admins).toEqual([{ n: 1 }]);
    } finally {
      await stop(second);
    }
  });

  it('prints nothing when TRELLIS_ADMIN_API_KEY is set, and still creates admin', async () => {
    const started = await start(database, { TRELLIS_ADMIN_API_KEY: 'configured-admin-key' });
    try {
      expect(printedKeys()).toHaveLength(0);
      const keys = await started.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`);
      expect(keys).toEqual([{ n: 0 }]);
      await request(started.app.getHttpServer()).get('/api/user').set('X-API-Key', 'configured-admin-key').expect(200);
    } finally {
      await stop(started);
    }
  });

  it('creates one admin and prints one key when several processes start at once', async () => {
    const started = await Promise.all([start(database), start(database), start(database)]);
    try {
      expect(printedKeys()).toHaveLength(1);
      const [users] = await started[0]!.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE handle = 'admin'`);
      const [keys] = await started[0]!.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`);
      const [balances] = await started[0]!.dataSource.query(`SELECT count(*)::int AS n FROM credit_balances`);
      expect([users.n, keys.n, balances.n]).toEqual([1, 1, 1]);
    } finally {
      await Promise.all(started.map(stop));
    }
  });
});
