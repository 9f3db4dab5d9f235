import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_KEY, makeUser } from './auth-helpers.js';

describe('users: profile and admin creation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ label: 'users', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
  });
  afterAll(() => t.close());

  const admin = () => ({ 'X-API-Key': ADMIN_KEY });

  it('creates a user with a working first key and its initial credit grant in the ledger', async () => {
    const res = await request(t.http).post('/api/admin/users').set(admin()).send({ handle: 'ops', email: 'ops@example.com', name: 'Ops team' }).expect(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      handle: 'ops',
      email: 'ops@example.com',
      name: 'Ops team',
      role: 'user',
      timezone: 'UTC',
      notification_preferences: {},
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(res.body.api_key).toMatchObject({ name: 'first key', key: expect.stringMatching(/^trl_/), scopes: expect.not.arrayContaining(['admin']) });
    const me = await request(t.http).get('/api/user').set('X-API-Key', res.body.api_key.key).expect(200);
    expect(me.body.id).toBe(res.body.user.id);
    const ledger = await t.dataSource.query(
      `SELECT b.balance, t.type, t.amount, t.running_balance, t.reason FROM credit_balances b JOIN credit_transactions t ON t.user_id = b.user_id WHERE b.user_id = $1`,
      [res.body.user.id],
    );
    expect(ledger).toEqual([{ balance: '1000', type: 'GRANT', amount: '1000', running_balance: '1000', reason: 'initial grant' }]);
  });

  it('takes the credits field over the configured grant, and opens an account even with 0', async () => {
    const rich = await makeUser(t, 'rich', { credits: 25 });
    const [row] = await t.dataSource.query(`SELECT balance FROM credit_balances WHERE user_id = $1`, [rich.user.id]);
    expect(row.balance).toBe('25');
    const broke = await makeUser(t, 'broke', { credits: 0 });
    const balances = await t.dataSource.query(`SELECT balance FROM credit_balances WHERE user_id = $1`, [broke.user.id]);
    const grants = await t.dataSource.query(`SELECT * FROM credit_transactions WHERE user_id = $1`, [broke.user.id]);
    expect([balances, grants]).toEqual([[{ balance: '0' }], []]);
  });

  it('creates admins whose first key carries the admin scope', async () => {
    const boss = await makeUser(t, 'boss', { role: 'admin' });
    expect(boss.user.role).toBe('admin');
    await request(t.http).get('/api/admin/users').set('X-API-Key', boss.key).expect(200);
  });

  it('answers 409 for a taken handle, and creates nothing', async () => {
    const res = await request(t.http).post('/api/admin/users').set(admin()).send({ handle: 'ops' }).expect(409);
    expect(res.body.error).toMatchObject({
      code: 'CONFLICT',
      message: 'A user with the handle "ops" already exists. Choose another handle.',
      details: { handle: 'ops' },
    });
    await request(t.http).post('/api/admin/users').set(admin()).send({ handle: 'admin' }).expect(409);
    const [count] = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE handle = 'ops'`);
    expect(count.n).toBe(1);
  });

  it('answers 400 with every problem of a bad user', async () => {
    const res = await request(t.http).post('/api/admin/users').set(admin()).send({ handle: 'Not Valid', email: 'nope', role: 'root', credits: -5 }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.problems).toEqual(
      expect.arrayContaining([
        { pointer: '/handle', message: expect.stringContaining('not a valid handle') },
        { pointer: '/email', message: 'expected an email address such as ops@example.com' },
        { pointer: '/role', message: 'expected "admin" or "user"' },
        { pointer: '/credits', message: 'expected 0 or more credits' },
      ]),
    );
    expect(res.body.error.details.problems).toHaveLength(4);
  });

  it('lists users by handle with cursor pagination', async () => {
    const first = await request(t.http).get('/api/admin/users?limit=2').set(admin()).expect(200);
    expect(first.body.items.map((u: { handle: string }) => u.handle)).toEqual(['admin', 'boss']);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await request(t.http).get(`/api/admin/users?limit=2&cursor=${first.body.next_cursor}`).set(admin()).expect(200);
    expect(second.body.items.map((u: { handle: string }) => u.handle)).toEqual(['broke', 'ops']);
    const last = await request(t.http).get(`/api/admin/users?limit=2&cursor=${second.body.next_cursor}`).set(admin()).expect(200);
    expect(last.body).toEqual({ items: [expect.objectContaining({ handle: 'rich' })], next_cursor: null });
  });

  it('refuses a bad cursor or limit with a 400', async () => {
    const cursor = await request(t.http).get('/api/admin/users?cursor=garbage').set(admin()).expect(400);
    expect(cursor.body.error.details.problems).toEqual([{ pointer: '/cursor', message: 'not a cursor from a previous page' }]);
    const limit = await request(t.http).get('/api/admin/users?limit=0').set(admin()).expect(400);
    expect(limit.body.error.details.problems).toEqual([{ pointer: '/limit', message: 'expected a whole number from 1 to 200' }]);
  });

  it('updates the profile: name, email, IANA time zone and notification preferences', async () => {
    const user = await makeUser(t, 'prefs');
    const res = await request(t.http)
      .put('/api/user')
      .set('X-API-Key', user.key)
      .send({
        name: 'Pref Erence',
        email: 'p@example.com',
        timezone: 'Europe/Paris',
        notification_preferences: { AGENT_RUN: ['in_app'], EXECUTION_FAILED: ['email', 'slack'] },
      })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'Pref Erence',
      email: 'p@example.com',
      timezone: 'Europe/Paris',
      notification_preferences: { AGENT_RUN: ['in_app'], EXECUTION_FAILED: ['email', 'slack'] },
    });
    // Fields left out stay; null clears name and email.
    const partial = await request(t.http).put('/api/user').set('X-API-Key', user.key).send({ name: null }).expect(200);
    expect(partial.body).toMatchObject({ name: null, email: 'p@example.com', timezone: 'Europe/Paris' });
    const read = await request(t.http).get('/api/user').set('X-API-Key', user.key).expect(200);
    expect(read.body).toEqual(partial.body);
  });

  it('answers 400 with a pointer for each bad profile field', async () => {
    const user = await makeUser(t, 'badprefs');
    const res = await request(t.http)
      .put('/api/user')
      .set('X-API-Key', user.key)
      .send({ timezone: 'Mars/Olympus', email: 'x', notification_preferences: { AGENT_RUN: ['sms'], NOPE: [] }, role: 'admin' })
      .expect(400);
    expect(res.body.error.details.problems).toEqual(
      expect.arrayContaining([
        { pointer: '/timezone', message: 'expected an IANA time zone such as "UTC", "Europe/Paris" or "America/New_York"' },
        { pointer: '/email', message: 'expected an email address such as ada@example.com (or null to clear it)' },
        {
          pointer: '/notification_preferences',
          message:
            'AGENT_RUN: unknown channel "sms" (known: in_app, email, slack, webhook); unknown notification kind "NOPE" (known: AGENT_RUN, EXECUTION_FAILED, LOW_BALANCE, ZERO_BALANCE, SYSTEM, REVIEW_REQUESTED)',
        },
        { pointer: '/role', message: 'unknown field "role": remove it (check its spelling)' },
      ]),
    );
    expect(res.body.error.details.problems).toHaveLength(4);
    const nullZone = await request(t.http).put('/api/user').set('X-API-Key', user.key).send({ timezone: null }).expect(400);
    expect(nullZone.body.error.details.problems[0].pointer).toBe('/timezone');
    const notObject = await request(t.http).put('/api/user').set('X-API-Key', user.key).set('Content-Type', 'application/json').send('[1]').expect(400);
    expect(notObject.body.error.details.problems).toEqual([{ pointer: '', message: 'expected a JSON object in the body, got an array' }]);
  });
});

describe('users with credits switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      label: 'usersnocredit',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: { credits: { enabled: false, initial_grant: 50 } },
    });
  });
  afterAll(() => t.close());

  it('still opens the account with the grant', async () => {
    const user = await makeUser(t, 'free');
    const rows = await t.dataSource.query(`SELECT balance FROM credit_balances WHERE user_id = $1`, [user.user.id]);
    expect(rows).toEqual([{ balance: '50' }]);
  });
});
