// Scopes of release 2 (release-2.md section 1 "Scopes", section 7): `account` guards the caller's account
// (PUT /api/user, notifications, API keys), a key creates only keys within its own scopes, a key made
// without a list gets its role's scopes, the upgrade gives release-1 full keys the new scopes, and a JWT
// without `exp` is refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { MIGRATIONS } from '../../migrations/index.js';
import { ADMIN_KEY, makeKey, makeUser, signJwt, type MadeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SECRET = 'scopes-test-secret-that-is-long-enough';
const USER_SCOPES = ['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage', 'account', 'reviews:decide'];
const RELEASE_1_USER = ['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage'];

describe('scopes', () => {
  let t: TestApp;
  let ada: MadeUser;
  let notificationId: string;
  const api = () => request(t.http);

  beforeAll(async () => {
    t = await createTestApp({ label: 'scopes', env: { JWT_SECRET: SECRET, TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    ada = await makeUser(t, 'ada', { email: 'ada@example.com' });
    await api().post('/api/admin/notifications').set('X-API-Key', ADMIN_KEY).send({ title: 'hello', body: 'to everyone' }).expect(201);
    notificationId = (await api().get('/api/notifications').set('X-API-Key', ada.key).expect(200)).body.items[0].id as string;
  });
  afterAll(() => t?.close());

  it("gives a user's first key every scope of the user role, account and reviews:decide included", async () => {
    const keys = await api().get('/api/user/api-keys').set('X-API-Key', ada.key).expect(200);
    expect(keys.body.items[0].scopes).toEqual(USER_SCOPES);
  });

  it('refuses a graphs:read key on PUT /api/user, notifications and every API keys endpoint, changing nothing', async () => {
    const reader = await makeKey(t, ada.key, ['graphs:read']);
    const victim = await makeKey(t, ada.key, ['executions:read']);
    const as = { 'X-API-Key': reader.key };
    const attempts = [
      api().put('/api/user').set(as).send({ email: 'attacker@example.com' }),
      api()
        .put('/api/user')
        .set(as)
        .send({ notification_preferences: { SYSTEM: [] } }),
      api().get('/api/notifications').set(as),
      api().patch(`/api/notifications/${notificationId}`).set(as).send({ read: true }),
      api().get('/api/user/api-keys').set(as),
      api()
        .post('/api/user/api-keys')
        .set(as)
        .send({ name: 'more', scopes: ['graphs:read'] }),
      api().delete(`/api/user/api-keys/${victim.id}`).set(as),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { missing_scopes: ['account'] } });
      expect(res.body.error.message).toContain('create a key with this scope');
    }
    const me = await api().get('/api/user').set(as).expect(200);
    expect(me.body.email).toBe('ada@example.com');
    await api().get('/api/graphs').set('X-API-Key', victim.key).expect(403);
    await api().get('/api/executions').set('X-API-Key', victim.key).expect(200);
    const unread = await api().get('/api/notifications?unread=true').set('X-API-Key', ada.key).expect(200);
    expect(unread.body.items.map((n: { id: string }) => n.id)).toContain(notificationId);
  });

  it('lets an account key change the account, read notifications and manage keys', async () => {
    const account = await makeKey(t, ada.key, ['account']);
    const as = { 'X-API-Key': account.key };
    const doomed = await makeKey(t, ada.key, ['graphs:read']);
    expect((await api().put('/api/user').set(as).send({ name: 'Ada L.' }).expect(200)).body.name).toBe('Ada L.');
    await api().get('/api/notifications').set(as).expect(200);
    await api().patch(`/api/notifications/${notificationId}`).set(as).send({ read: true }).expect(200);
    expect((await api().get('/api/user/api-keys').set(as).expect(200)).body.items.length).toBeGreaterThan(1);
    expect((await api().delete(`/api/user/api-keys/${doomed.id}`).set(as).expect(200)).body.revoked_at).not.toBeNull();
    await api().get('/api/graphs').set('X-API-Key', doomed.key).expect(401);
  });

  it('lets a key create keys only within its own scopes', async () => {
    const narrow = await makeKey(t, ada.key, ['account', 'graphs:read']);
    const as = { 'X-API-Key': narrow.key };
    const wider = await api()
      .post('/api/user/api-keys')
      .set(as)
      .send({ name: 'wider', scopes: ['graphs:read', 'graphs:write'] })
      .expect(403);
    expect(wider.body.error).toMatchObject({ code: 'FORBIDDEN', details: { missing_scopes: ['graphs:write'] } });
    expect(wider.body.error.message).toContain('a key may carry only scopes your own credentials have');
    const same = await api()
      .post('/api/user/api-keys')
      .set(as)
      .send({ name: 'same', scopes: ['graphs:read'] })
      .expect(201);
    expect(same.body.scopes).toEqual(['graphs:read']);
    // Without a list a key gets the role's scopes, which this key does not have: said, not narrowed silently.
    const unlisted = await api().post('/api/user/api-keys').set(as).send({ name: 'unlisted' }).expect(403);
    expect(unlisted.body.error.details.missing_scopes).toEqual(['graphs:write', 'executions:run', 'executions:read', 'credentials:manage', 'reviews:decide']);
    expect(unlisted.body.error.message).toContain('list the scopes');
  });

  it("gives a key made without a list every scope of its user's role, at creation", async () => {
    const jwt = signJwt({ sub: ada.user.id }, { alg: 'HS256', secret: SECRET });
    const fromJwt = await api().post('/api/user/api-keys').set('Authorization', `Bearer ${jwt}`).send({ name: 'from jwt' }).expect(201);
    expect(fromJwt.body.scopes).toEqual(USER_SCOPES);
    const fromAdmin = await api().post('/api/user/api-keys').set('X-API-Key', ADMIN_KEY).send({ name: 'admin all' }).expect(201);
    expect(fromAdmin.body.scopes).toEqual([...USER_SCOPES, 'admin']);
    const stored = (await t.dataSource.query(`SELECT scopes FROM api_keys WHERE id = $1`, [fromJwt.body.id])) as Array<{ scopes: string[] }>;
    expect(stored[0]!.scopes).toEqual(USER_SCOPES);
  });

  it('refuses a JWT without exp with 401 saying why, and accepts the same token with exp', async () => {
    const forever = signJwt({ sub: ada.user.id, exp: undefined }, { alg: 'HS256', secret: SECRET });
    expect(JSON.parse(Buffer.from(forever.split('.')[1]!, 'base64url').toString('utf8'))).not.toHaveProperty('exp');
    const res = await api().get('/api/user').set('Authorization', `Bearer ${forever}`).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(res.body.error.message).toContain('it has no "exp" claim');
    await api()
      .get('/api/user')
      .set('Authorization', `Bearer ${signJwt({ sub: ada.user.id }, { alg: 'HS256', secret: SECRET })}`)
      .expect(200);
  });

  it("upgrades release-1 keys that held their role's whole set with account and reviews:decide, and no others", async () => {
    const admin = (await t.dataSource.query(`SELECT id FROM users WHERE handle = 'admin'`)) as Array<{ id: string }>;
    const insert = async (userId: string, scopes: string[]): Promise<string> => {
      const rows = (await t.dataSource.query(
        `INSERT INTO api_keys (user_id, name, prefix, hash, scopes) VALUES ($1, 'r1', 'trl_r1', md5(random()::text), $2) RETURNING id`,
        [userId, scopes],
      )) as Array<{ id: string }>;
      return rows[0]!.id;
    };
    const full = await insert(ada.user.id, [...RELEASE_1_USER].reverse());
    const partial = await insert(ada.user.id, ['graphs:read', 'executions:run']);
    const adminFull = await insert(admin[0]!.id, [...RELEASE_1_USER, 'admin']);
    const adminAsUser = await insert(admin[0]!.id, RELEASE_1_USER);
    const migration = MIGRATIONS.find((m) => m.name.startsWith('TenancyScopes'))!;
    const runner = t.dataSource.createQueryRunner();
    try {
      await new (migration as new () => { upgradeKeys(runner: unknown): Promise<void> })().upgradeKeys(runner);
    } finally {
      await runner.release();
    }
    const scopes = async (id: string) =>
      ((await t.dataSource.query(`SELECT scopes FROM api_keys WHERE id = $1`, [id])) as Array<{ scopes: string[] }>)[0]!.scopes;
    expect(await scopes(full)).toEqual([...RELEASE_1_USER].reverse().concat(['account', 'reviews:decide']));
    expect(await scopes(partial)).toEqual(['graphs:read', 'executions:run']);
    expect(await scopes(adminFull)).toEqual([...RELEASE_1_USER, 'admin', 'account', 'reviews:decide']);
    expect(await scopes(adminAsUser)).toEqual(RELEASE_1_USER);
  });
});
