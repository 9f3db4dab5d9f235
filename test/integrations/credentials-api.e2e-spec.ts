import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_KEY, makeConfigDir, makeUser, newKey, type MadeUser } from './integrations-app.js';

const BASE = '/api/integrations/credentials';

describe('/api/integrations/credentials', () => {
  let t: TestApp;
  let configDir: string;
  let ada: MadeUser;
  let bob: MadeUser;

  beforeAll(async () => {
    configDir = makeConfigDir(
      'shared-openai:\n  provider: openai\n  type: api_key\n  env: { key: INT_TEST_SHARED_OPENAI }\n  allow: { roles: [admin, user] }\n' +
        'admins-openai:\n  provider: openai\n  type: api_key\n  env: { key: INT_TEST_SHARED_OPENAI }\n',
    );
    t = await createTestApp({ label: 'credapi', env: { TRELLIS_ENCRYPTION_KEY: newKey(), TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_CONFIG_DIR: configDir } });
    ada = await makeUser(t.http, 'ada');
    bob = await makeUser(t.http, 'bob');
  });
  afterAll(async () => {
    await t.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  const as = (user: MadeUser) => ({
    get: (path = '') => request(t.http).get(`${BASE}${path}`).set('X-API-Key', user.key),
    post: (body: unknown) =>
      request(t.http)
        .post(BASE)
        .set('X-API-Key', user.key)
        .send(body as object),
    put: (path: string, body: unknown) =>
      request(t.http)
        .put(`${BASE}${path}`)
        .set('X-API-Key', user.key)
        .send(body as object),
    delete: (path: string) => request(t.http).delete(`${BASE}${path}`).set('X-API-Key', user.key),
  });

  it('creates a credential and answers its metadata only', async () => {
    const res = await as(ada)
      .post({ name: 'openai-main', provider: 'openai', type: 'api_key', secrets: { key: 'sk-ada-1' } })
      .expect(201);
    expect(res.body).toEqual({
      name: 'openai-main',
      provider: 'openai',
      type: 'api_key',
      metadata: {},
      hosts: null,
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('sk-ada-1');
    const [row] = await t.dataSource.query('SELECT ciphertext, key_id FROM credentials WHERE name = $1', ['openai-main']);
    expect(row.ciphertext).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(row.ciphertext).not.toContain('sk-ada-1');
    expect(row.ciphertext.split('.')[1]).toBe(row.key_id);
  });

  it('lists metadata for every type, with OAuth2 scopes and expiry, and never a secret field', async () => {
    const bodies = [
      {
        name: 'gh-oauth',
        provider: 'github',
        type: 'oauth2',
        secrets: { access_token: 'gho-x', refresh_token: 'ghr-x', expires_at: '2030-01-01T00:00:00Z', scopes: ['repo', 'read:user'] },
      },
      { name: 'basic', provider: 'http', type: 'user_password', secrets: { username: 'ann', password: 'pw-x' } },
      { name: 'hook-secret', provider: 'http', type: 'webhook_secret', secrets: { secret: 'whs-x' } },
      { name: 'slack-hook', provider: 'slack', type: 'secret_url', secrets: { url: 'https://hooks.slack.com/services/T/B/x' } },
      { name: 'hdr', provider: 'http', type: 'header', secrets: { name: 'X-Api-Key', value: 'hv-x' } },
      {
        name: 'mail',
        provider: 'smtp',
        type: 'smtp',
        secrets: { host: 'smtp.example.com', port: 587, username: 'u', password: 'smtp-x', from: 'Bot <bot@example.com>' },
      },
    ];
    for (const body of bodies) await as(ada).post(body).expect(201);
    const res = await as(ada).get().expect(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.items.map((c: { name: string }) => c.name)).toEqual(['basic', 'gh-oauth', 'hdr', 'hook-secret', 'mail', 'openai-main', 'slack-hook']);
    const oauth = res.body.items.find((c: { name: string }) => c.name === 'gh-oauth');
    expect(oauth.metadata).toEqual({ scopes: ['repo', 'read:user'], expires_at: '2030-01-01T00:00:00.000Z' });
    const text = JSON.stringify(res.body);
    for (const secret of ['gho-x', 'ghr-x', 'pw-x', 'whs-x', 'hooks.slack.com', 'hv-x', 'smtp-x', 'sk-ada-1', 'smtp.example.com'])
      expect(text).not.toContain(secret);
    for (const item of res.body.items)
      expect(Object.keys(item).sort()).toEqual(['created_at', 'hosts', 'metadata', 'name', 'provider', 'type', 'updated_at', 'version']);
  });

  it('answers one credential by name, and 404 for a name that is not yours', async () => {
    const mine = await as(ada).get('/basic').expect(200);
    expect(mine.body).toMatchObject({ name: 'basic', type: 'user_password' });
    const theirs = await as(bob).get('/basic').expect(404);
    expect(theirs.body.error).toMatchObject({ code: 'NOT_FOUND', details: { credential: 'basic' } });
    expect(theirs.body.error.message).toContain('You have no credential "basic"');
    await as(bob)
      .get()
      .expect(200)
      .then((res) => expect(res.body.items).toEqual([]));
  });

  it('lets two users hold the same name, each resolving only their own', async () => {
    await as(bob)
      .post({ name: 'openai-main', provider: 'openai', type: 'api_key', secrets: { key: 'sk-bob-1' } })
      .expect(201);
    const rows = await t.dataSource.query("SELECT user_id FROM credentials WHERE name = 'openai-main' ORDER BY user_id");
    expect(rows.map((r: { user_id: string }) => r.user_id).sort()).toEqual([ada.id, bob.id].sort());
  });

  it('answers 409 for a name the user already has, and for a name in config/credentials.yaml', async () => {
    const again = await as(ada)
      .post({ name: 'openai-main', provider: 'openai', type: 'api_key', secrets: { key: 'sk-2' } })
      .expect(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect(again.body.error.message).toContain('You already have a credential "openai-main"');
    expect(again.body.error.message).toContain('PUT /api/integrations/credentials/openai-main');
    const config = await as(bob)
      .post({ name: 'shared-openai', provider: 'openai', type: 'api_key', secrets: { key: 'sk-3' } })
      .expect(409);
    expect(config.body.error).toMatchObject({ code: 'CONFLICT', details: { credential: 'shared-openai', source: 'config' } });
    expect(config.body.error.message).toContain('config/credentials.yaml');
    expect(JSON.stringify([again.body, config.body])).not.toMatch(/sk-2|sk-3/);
  });

  it('lets a user create a name that is an operator credential they may not use, as if it did not exist', async () => {
    const created = await as(bob)
      .post({ name: 'admins-openai', provider: 'openai', type: 'api_key', secrets: { key: 'sk-bob-own' } })
      .expect(201);
    expect(created.body.name).toBe('admins-openai');
    const admin: MadeUser = { id: 'admin', handle: 'admin', key: ADMIN_KEY };
    const refused = await as(admin)
      .post({ name: 'admins-openai', provider: 'openai', type: 'api_key', secrets: { key: 'sk-x' } })
      .expect(409);
    expect(refused.body.error.details).toMatchObject({ credential: 'admins-openai', source: 'config' });
  });

  it('refuses a control character in a secret field with a 400 naming the field, on create and on PUT', async () => {
    const header = await as(ada)
      .post({ name: 'hdr-nl', provider: 'http', type: 'header', secrets: { name: 'X-Key', value: 'abc\r\nX-Injected: 1' } })
      .expect(400);
    expect(header.body.error.details.problems).toEqual([
      { pointer: '/secrets/value', message: expect.stringContaining('"value": contains a control character (U+000D)') },
    ]);
    expect(JSON.stringify(header.body)).not.toContain('X-Injected');
    for (const [type, secrets, field] of [
      ['api_key', { key: 'sk\u0000x' }, 'key'],
      ['oauth2', { access_token: 'a\u007f', refresh_token: 'r' }, 'access_token'],
      ['oauth2', { access_token: 'a', refresh_token: 'r\tx' }, 'refresh_token'],
      ['user_password', { username: 'u', password: 'p\nq' }, 'password'],
      ['webhook_secret', { secret: 's\u001fx' }, 'secret'],
      ['secret_url', { url: 'https://hooks.example.com/a\u0001b' }, 'url'],
    ] as const) {
      const res = await as(ada)
        .post({ name: `cc-${field}`, provider: 'http', type, secrets })
        .expect(400);
      expect(res.body.error.details.problems.map((p: { pointer: string }) => p.pointer)).toContain(`/secrets/${field}`);
    }
    const put = await as(ada)
      .put('/basic', { secrets: { username: 'ann', password: 'line\nbreak' } })
      .expect(400);
    expect(put.body.error.details.problems).toEqual([{ pointer: '/secrets/password', message: expect.stringContaining('control character (U+000A)') }]);
  });

  it('stores, answers and replaces where a credential may be sent (hosts), refusing entries that are not hosts', async () => {
    const res = await as(ada)
      .post({ name: 'bound', provider: 'http', type: 'api_key', secrets: { key: 'k' }, hosts: ['api.example.com', '*.example.org'] })
      .expect(201);
    expect(res.body.hosts).toEqual(['api.example.com', '*.example.org']);
    const bad = await as(ada)
      .post({ name: 'bound2', provider: 'http', type: 'api_key', secrets: { key: 'k' }, hosts: ['https://x.com/path', 7] })
      .expect(400);
    expect(bad.body.error.details.problems.map((p: { pointer: string }) => p.pointer)).toEqual(['/hosts/0', '/hosts/1']);
    const kept = await as(ada)
      .put('/bound', { secrets: { key: 'k2' } })
      .expect(200);
    expect(kept.body.hosts).toEqual(['api.example.com', '*.example.org']);
    const changed = await as(ada)
      .put('/bound', { secrets: { key: 'k3' }, hosts: ['http://127.0.0.1:9000'] })
      .expect(200);
    expect(changed.body.hosts).toEqual(['http://127.0.0.1:9000']);
    const cleared = await as(ada)
      .put('/bound', { secrets: { key: 'k4' }, hosts: null })
      .expect(200);
    expect(cleared.body.hosts).toBeNull();
  });

  it('refuses bad bodies, listing every problem with a pointer', async () => {
    const res = await as(ada)
      .post({ name: 'bad name!', provider: 'Open AI', type: 'api_key', secrets: { key: 7, extra: 'x' }, color: 'red' })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const pointers = res.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort();
    expect(pointers).toEqual(['/color', '/name', '/provider', '/secrets/extra', '/secrets/key']);
    const messages = res.body.error.details.problems.map((p: { message: string }) => p.message).join('\n');
    expect(messages).toContain('unknown field "extra" for type api_key: the fields are {key}');
    expect(messages).toContain('"key": expected text, got number');
    expect(messages).toContain('unknown field "color"');
  });

  it.each([
    [{ provider: 'openai', type: 'api_key', secrets: { key: 'k' } }, '/name', '"name" is required'],
    [{ name: 'n1', type: 'api_key', secrets: { key: 'k' } }, '/provider', '"provider" is required'],
    [{ name: 'n1', provider: 'openai', secrets: { key: 'k' } }, '/type', '"type" is required'],
    [{ name: 'n1', provider: 'openai', type: 'password', secrets: {} }, '/type', 'unknown type "password": expected one of api_key, oauth2'],
    [{ name: 'n1', provider: 'openai', type: 'api_key' }, '/secrets', '"secrets" is required'],
    [{ name: 'n1', provider: 'openai', type: 'api_key', secrets: 'sk' }, '/secrets', 'expected an object with the api_key fields {key}'],
    [{ name: 'n1', provider: 'openai', type: 'api_key', secrets: {} }, '/secrets/key', '"key" is required for type api_key'],
    [{ name: 'n1', provider: 'http', type: 'user_password', secrets: { username: 'a' } }, '/secrets/password', '"password" is required'],
    [{ name: 'n1', provider: 'slack', type: 'secret_url', secrets: { url: 'not a url' } }, '/secrets/url', 'expected a URL'],
    [{ name: 'n1', provider: 'slack', type: 'secret_url', secrets: { url: 'ftp://x.example/hook' } }, '/secrets/url', 'expected an http(s) URL'],
    [{ name: 'n1', provider: 'http', type: 'header', secrets: { name: 'Bad Header', value: 'v' } }, '/secrets/name', 'expected an HTTP header name'],
    [{ name: 'n1', provider: 'smtp', type: 'smtp', secrets: { host: 'h', port: 70000 } }, '/secrets/port', 'expected a port number from 1 to 65535'],
    [{ name: 'n1', provider: 'smtp', type: 'smtp', secrets: { host: 'h', port: 25, secure: 'yes' } }, '/secrets/secure', 'expected true or false'],
    [
      { name: 'n1', provider: 'smtp', type: 'smtp', secrets: { host: 'h', port: 25, username: 'u' } },
      '/secrets/password',
      'give both "username" and "password"',
    ],
    [{ name: 'n1', provider: 'smtp', type: 'smtp', secrets: { host: 'h', port: 25, from: 'nobody' } }, '/secrets/from', 'expected an address'],
    [
      { name: 'n1', provider: 'github', type: 'oauth2', secrets: { access_token: 't', expires_at: 'tomorrow' } },
      '/secrets/expires_at',
      'expected an ISO 8601 time',
    ],
    [{ name: 'n1', provider: 'github', type: 'oauth2', secrets: { access_token: 't', scopes: [1] } }, '/secrets/scopes', 'expected a list of scopes'],
  ])('refuses %j at %s', async (body, pointer, message) => {
    const res = await as(ada).post(body).expect(400);
    const problem = res.body.error.details.problems.find((p: { pointer: string }) => p.pointer === pointer);
    expect(problem?.message).toContain(message);
  });

  it('refuses a body that is not an object', async () => {
    const res = await request(t.http).post(BASE).set('X-API-Key', ada.key).set('content-type', 'application/json').send('[1,2]').expect(400);
    expect(res.body.error.details.problems[0]).toEqual({
      pointer: '',
      message: expect.stringContaining('expected a JSON object with "name", "provider", "type", "secrets"'),
    });
    const none = await request(t.http).post(BASE).set('X-API-Key', ada.key).expect(400);
    expect(none.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('replaces the secret fields with PUT (a new version, same type), checked against the type', async () => {
    const before = (await as(ada).get('/basic').expect(200)).body;
    const res = await as(ada)
      .put('/basic', { secrets: { username: 'ann', password: 'pw-rotated' } })
      .expect(200);
    expect(res.body).toMatchObject({ name: 'basic', type: 'user_password', version: before.version + 1 });
    expect(JSON.stringify(res.body)).not.toContain('pw-rotated');
    const wrongType = await as(ada)
      .put('/basic', { secrets: { key: 'k' } })
      .expect(400);
    expect(wrongType.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual([
      '/secrets/key',
      '/secrets/password',
      '/secrets/username',
    ]);
    const extra = await as(ada)
      .put('/basic', { secrets: { username: 'a', password: 'b' }, type: 'api_key' })
      .expect(400);
    expect(extra.body.error.details.problems).toEqual([{ pointer: '/type', message: 'unknown field "type": remove it (the fields are secrets, hosts)' }]);
    await as(ada).put('/basic', {}).expect(400);
    await as(bob)
      .put('/basic', { secrets: { username: 'x', password: 'y' } })
      .expect(404);
    await as(ada)
      .put('/nothing-here', { secrets: { key: 'x' } })
      .expect(404);
  });

  it('keeps OAuth2 metadata in step with a replaced secret', async () => {
    const res = await as(ada)
      .put('/gh-oauth', { secrets: { access_token: 'gho-2', expires_at: '2031-05-05T10:00:00+02:00', scopes: 'repo gist' } })
      .expect(200);
    expect(res.body.metadata).toEqual({ scopes: ['repo', 'gist'], expires_at: '2031-05-05T08:00:00.000Z' });
  });

  it("deletes with 204; deleting again, or another user's, is 404", async () => {
    await as(bob).delete('/hdr').expect(404);
    await as(ada).delete('/hdr').expect(204);
    await as(ada).delete('/hdr').expect(404);
    await as(ada).get('/hdr').expect(404);
  });

  it('refuses a malformed name in the path', async () => {
    const res = await as(ada).get('/bad%20name').expect(400);
    expect(res.body.error.details.problems[0].message).toContain('the credential name in the path');
  });

  it('needs credentials and the credentials:manage scope', async () => {
    await request(t.http).get(BASE).expect(401);
    const limited = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', ada.key)
      .send({ name: 'read only', scopes: ['graphs:read'] })
      .expect(201);
    const res = await request(t.http).get(BASE).set('X-API-Key', limited.body.key).expect(403);
    expect(res.body.error.details).toEqual({ missing_scopes: ['credentials:manage'] });
  });

  it('documents the paths in the OpenAPI document', async () => {
    const res = await request(t.http).get('/api/openapi.json').expect(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/integrations/credentials']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/integrations/credentials/{name}']!).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(paths['/api/integrations/{provider}/login']!)).toEqual(['post']);
    expect(Object.keys(paths['/api/integrations/{provider}/callback']!)).toEqual(['get']);
    expect(res.body.components.schemas.CreateCredentialDto.required.sort()).toEqual(['name', 'provider', 'secrets', 'type']);
  });
});
