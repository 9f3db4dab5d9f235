import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { hashApiKey } from '../../src/auth/api-key.format.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_KEY, makeKey, makeUser, type MadeUser } from './auth-helpers.js';

describe('API keys and the /api guard', () => {
  let t: TestApp;
  let ada: MadeUser;
  let bob: MadeUser;

  beforeAll(async () => {
    t = await createTestApp({ label: 'apikeys', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    ada = await makeUser(t, 'ada', { email: 'ada@example.com', name: 'Ada' });
    bob = await makeUser(t, 'bob');
  });
  afterAll(() => t.close());

  it('answers 401 without credentials, with the exact error body and how to authenticate', async () => {
    const res = await request(t.http).get('/api/user').set('X-Request-Id', 'req-401').expect(401);
    expect(res.body).toEqual({
      error: {
        code: 'UNAUTHENTICATED',
        message:
          'Authentication is required. Send an API key as "X-API-Key: trl_..." or "Authorization: Bearer trl_...", or a JWT as "Authorization: Bearer <token>".',
        details: {},
        request_id: 'req-401',
      },
    });
  });

  it('answers 401 for an unknown key, naming only its prefix', async () => {
    const unknown = `trl_${'A'.repeat(43)}`;
    const res = await request(t.http).get('/api/user').set('X-API-Key', unknown).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(res.body.error.message).toContain('trl_AAAAAAAA... is not known');
    expect(res.body.error.message).not.toContain(unknown);
    expect(res.body.error.details).toEqual({ key_prefix: 'trl_AAAAAAAA' });
  });

  it('answers 401 for a malformed key and for a non-Bearer Authorization header', async () => {
    const malformed = await request(t.http).get('/api/user').set('X-API-Key', 'trl_short').expect(401);
    expect(malformed.body.error.message).toContain('malformed');
    const basic = await request(t.http).get('/api/user').set('Authorization', 'Basic YWRhOnNlY3JldA==').expect(401);
    expect(basic.body.error.message).toContain('must be "Bearer <token>" (got the "Basic" scheme)');
  });

  it('accepts a key as X-API-Key and as Authorization: Bearer', async () => {
    const viaHeader = await request(t.http).get('/api/user').set('X-API-Key', ada.key).expect(200);
    expect(viaHeader.body).toMatchObject({ id: ada.user.id, handle: 'ada', email: 'ada@example.com', name: 'Ada', role: 'user', timezone: 'UTC' });
    const viaBearer = await request(t.http).get('/api/user').set('Authorization', `Bearer ${ada.key}`).expect(200);
    expect(viaBearer.body.id).toBe(ada.user.id);
  });

  it('lets the configured admin key act as the admin user with every scope', async () => {
    const res = await request(t.http).get('/api/user').set('X-API-Key', ADMIN_KEY).expect(200);
    expect(res.body).toMatchObject({ handle: 'admin', role: 'admin' });
    const bearer = await request(t.http).get('/api/admin/users').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);
    expect(bearer.body.items.map((u: { handle: string }) => u.handle)).toEqual(['ada', 'admin', 'bob']);
  });

  it('creates a key shown once, stores only its hash, and never lists the secret', async () => {
    const created = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', ada.key)
      .send({ name: 'ci', scopes: ['graphs:read', 'executions:run'], expires_at: '2099-01-01T00:00:00Z' })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'ci',
      prefix: created.body.key.slice(0, 12),
      scopes: ['graphs:read', 'executions:run'],
      created_at: expect.any(String),
      last_used_at: null,
      expires_at: '2099-01-01T00:00:00.000Z',
      revoked_at: null,
      key: expect.stringMatching(/^trl_[A-Za-z0-9_-]{43}$/),
    });
    const rows = await t.dataSource.query('SELECT hash, prefix FROM api_keys WHERE id = $1', [created.body.id]);
    expect(rows).toEqual([{ hash: hashApiKey(created.body.key), prefix: created.body.key.slice(0, 12) }]);

    const list = await request(t.http).get('/api/user/api-keys').set('X-API-Key', ada.key).expect(200);
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.items.map((k: { name: string }) => k.name).sort()).toEqual(['ci', 'first key']);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.body.key);
    expect(text).not.toContain(rows[0].hash);
    for (const item of list.body.items)
      expect(Object.keys(item).sort()).toEqual(['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at', 'scopes']);
  });

  it("gives a new key every scope of the user's role by default, and refuses scopes the caller lacks", async () => {
    const all = await request(t.http).post('/api/user/api-keys').set('X-API-Key', ada.key).send({ name: 'all' }).expect(201);
    expect(all.body.scopes).toEqual(['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage', 'account', 'reviews:decide']);
    const admin = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', ada.key)
      .send({ name: 'x', scopes: ['admin'] })
      .expect(403);
    expect(admin.body.error).toMatchObject({ code: 'FORBIDDEN', details: { missing_scopes: ['admin'] } });
    const narrow = await makeKey(t, ada.key, ['graphs:read', 'account']);
    const widen = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', narrow.key)
      .send({ name: 'y', scopes: ['graphs:read', 'graphs:write'] })
      .expect(403);
    expect(widen.body.error.message).toContain('graphs:write');
    // Release 2: without a list a key gets the role's scopes, so a narrower key must list what it grants.
    const unlisted = await request(t.http).post('/api/user/api-keys').set('X-API-Key', narrow.key).send({ name: 'z' }).expect(403);
    expect(unlisted.body.error.details.missing_scopes).toContain('graphs:write');
    const listed = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', narrow.key)
      .send({ name: 'z', scopes: ['graphs:read'] })
      .expect(201);
    expect(listed.body.scopes).toEqual(['graphs:read']);
  });

  it('answers 400 with every problem of a bad key request', async () => {
    const res = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', ada.key)
      .send({ name: '', scopes: ['graphs:read', 'graphs:delete'], expires_at: 'tomorrow', colour: 'red' })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.problems).toEqual(
      expect.arrayContaining([
        { pointer: '/name', message: 'expected a name for the key, such as "ci deploys"' },
        { pointer: '/scopes', message: expect.stringContaining('unknown scope "graphs:delete"') },
        { pointer: '/expires_at', message: 'expected an ISO 8601 time such as 2030-01-01T00:00:00Z' },
        { pointer: '/colour', message: 'unknown field "colour": remove it (check its spelling)' },
      ]),
    );
    expect(res.body.error.details.problems).toHaveLength(4);
    const past = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', ada.key)
      .send({ name: 'old', expires_at: '2001-01-01T00:00:00Z' })
      .expect(400);
    expect(past.body.error.details.problems).toEqual([{ pointer: '/expires_at', message: expect.stringContaining('is in the past') }]);
  });

  it('answers 403 FORBIDDEN naming the missing scope', async () => {
    const res = await request(t.http).get('/api/admin/users').set('X-API-Key', ada.key).expect(403);
    expect(res.body.error).toEqual({
      code: 'FORBIDDEN',
      message: 'This request needs the scope admin. Only admins may do this; ask an admin.',
      details: { missing_scopes: ['admin'] },
      request_id: expect.any(String),
    });
  });

  it('limits an admin key to its scopes', async () => {
    const adminUser = await makeUser(t, 'root', { role: 'admin' });
    const readOnly = await makeKey(t, adminUser.key, ['graphs:read']);
    const res = await request(t.http).get('/api/admin/users').set('X-API-Key', readOnly.key).expect(403);
    expect(res.body.error.message).toBe(
      'This request needs the scope admin. Your API key does not carry it: create a key with this scope (POST /api/user/api-keys).',
    );
    await request(t.http).get('/api/admin/users').set('X-API-Key', adminUser.key).expect(200);
  });

  it('revokes a key: it answers 401 saying it was revoked', async () => {
    const { key, id } = await makeKey(t, bob.key, ['graphs:read']);
    await request(t.http).get('/api/user').set('X-API-Key', key).expect(200);
    const revoked = await request(t.http).delete(`/api/user/api-keys/${id}`).set('X-API-Key', bob.key).expect(200);
    expect(revoked.body).toMatchObject({ id, revoked_at: expect.any(String) });
    expect(revoked.body.key).toBeUndefined();
    const res = await request(t.http).get('/api/user').set('X-API-Key', key).expect(401);
    expect(res.body.error.message).toContain('was revoked at');
    expect(res.body.error.details.revoked_at).toBe(revoked.body.revoked_at);
    // Revoking again changes nothing.
    const again = await request(t.http).delete(`/api/user/api-keys/${id}`).set('X-API-Key', bob.key).expect(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
  });

  it("answers 404 for another user's key, as for a missing one, and leaves it working", async () => {
    const res = await request(t.http).delete(`/api/user/api-keys/${ada.keyId}`).set('X-API-Key', bob.key).expect(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('GET /api/user/api-keys') });
    await request(t.http).delete('/api/user/api-keys/00000000-0000-4000-8000-000000000000').set('X-API-Key', bob.key).expect(404);
    await request(t.http).delete('/api/user/api-keys/not-a-uuid').set('X-API-Key', bob.key).expect(404);
    await request(t.http).get('/api/user').set('X-API-Key', ada.key).expect(200);
  });

  it('refuses an expired key', async () => {
    const { id, key } = await makeKey(t, bob.key, ['graphs:read'], { expires_at: new Date(Date.now() + 60_000).toISOString() });
    await t.dataSource.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    // The key was never used, so no process holds it in its verified-key cache.
    const res = await request(t.http).get('/api/user').set('X-API-Key', key).expect(401);
    expect(res.body.error.message).toContain('expired at');
  });

  it('records last_used_at in batches, not per request', async () => {
    const { key, id } = await makeKey(t, bob.key, ['graphs:read']);
    for (let i = 0; i < 3; i++) await request(t.http).get('/api/user').set('X-API-Key', key).expect(200);
    const before = await t.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [id]);
    expect(before[0].last_used_at).toBeNull();
    const listed = await request(t.http).get('/api/user/api-keys').set('X-API-Key', bob.key).expect(200);
    const shown = listed.body.items.find((k: { id: string }) => k.id === id);
    expect(shown.last_used_at).toEqual(expect.any(String));
    await t.app.get(ApiKeysService).flushUsage();
    const after = await t.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [id]);
    expect(after[0].last_used_at.toISOString()).toBe(shown.last_used_at);
  });

  it('leaves routes outside /api public', async () => {
    await request(t.http).get('/health').expect(200);
    await request(t.http).get('/metrics').expect(200);
  });
});
