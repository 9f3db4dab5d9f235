import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import { pino } from 'pino';
import request from 'supertest';
import { createKeyFromCli, registerKeysCommands } from '../../src/auth/keys.command.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { CreditsRepository } from '../../src/credits/credits.repository.js';
import { openDataSource } from '../../src/entities.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { connect, createTestDatabase } from '../helpers/database.js';
import { ADMIN_KEY, makeUser } from './auth-helpers.js';

describe('trellis keys create', () => {
  let t: TestApp;
  let stdout: string[];
  let stderr: string[];
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    t = await createTestApp({ label: 'keyscli', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    await makeUser(t, 'ada');
  });
  afterAll(() => t.close());

  beforeEach(() => {
    stdout = [];
    stderr = [];
    Object.assign(process.env, { TRELLIS_ENV: 'test', DATABASE_URL: t.database.url, REDIS_URL: '', LOG_LEVEL: 'silent' });
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const name of ['TRELLIS_ENV', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
  });

  async function run(...args: string[]): Promise<void> {
    const program = new Command('trellis').exitOverride();
    registerKeysCommands(program, openDataSource, new CreditsRepository());
    await program.parseAsync(['node', 'trellis', ...args]);
  }

  it('prints a new key once on stdout (and what it is on stderr); the key works', async () => {
    await run('keys', 'create', '--user', 'ada', '--scopes', 'graphs:read, executions:run', '--name', 'deploy');
    expect(stdout).toHaveLength(1);
    const key = stdout[0]!.trim();
    expect(key).toMatch(/^trl_[A-Za-z0-9_-]{43}$/);
    expect(stderr.join('')).toContain('Created API key "deploy" (trl_');
    expect(stderr.join('')).toContain('for ada with scopes graphs:read, executions:run');
    expect(stderr.join('')).not.toContain(key);
    const me = await request(t.http).get('/api/user').set('X-API-Key', key).expect(200);
    expect(me.body.handle).toBe('ada');
    const [row] = await t.dataSource.query(`SELECT name, scopes FROM api_keys WHERE prefix = $1`, [key.slice(0, 12)]);
    expect(row).toEqual({ name: 'deploy', scopes: ['graphs:read', 'executions:run'] });
  });

  it('refuses an unknown user, unknown scopes and scopes beyond the role, creating nothing', async () => {
    const [before] = await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`);
    await expect(run('keys', 'create', '--user', 'nobody')).rejects.toThrow('No user has the handle "nobody"');
    await expect(run('keys', 'create', '--user', 'ada', '--scopes', 'graphs:read,graphs:delete')).rejects.toThrow(
      'Unknown scope graphs:delete. Known scopes: graphs:read, graphs:write, executions:run, executions:read, credentials:manage, account, reviews:decide, admin.',
    );
    await expect(run('keys', 'create', '--user', 'ada', '--scopes', 'admin')).rejects.toThrow('You cannot give a key the scope admin');
    await expect(run('keys', 'create', '--user', 'ada', '--expires-at', 'soon')).rejects.toThrow('expected an ISO 8601 time');
    const [after] = await t.dataSource.query(`SELECT count(*)::int AS n FROM api_keys`);
    expect(after.n).toBe(before.n);
    expect(stdout).toEqual([]);
  });

  it('requires --user', async () => {
    await expect(run('keys', 'create')).rejects.toThrow(/required option '--user <handle>' not specified/);
  });
});

describe('trellis keys create --user admin before the first start', () => {
  it('creates the admin user (with its credits) and an admin key', async () => {
    const database = await createTestDatabase('keysfresh');
    const dataSource = await connect(database.url);
    try {
      const config = loadConfig({ env: { ...process.env, TRELLIS_ENV: 'test', DATABASE_URL: database.url } });
      const made = await createKeyFromCli(dataSource, config, pino({ level: 'silent' }), { user: 'admin' }, new CreditsRepository());
      expect(made.user).toMatchObject({ handle: 'admin', role: 'admin' });
      expect(made.entity.scopes).toContain('admin');
      const [balance] = await dataSource.query(`SELECT balance FROM credit_balances WHERE user_id = $1`, [made.user.id]);
      expect(balance.balance).toBe('1000');
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
