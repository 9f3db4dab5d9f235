import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_KEY, makeUser, signJwt, type MadeUser } from './auth-helpers.js';

const SECRET = 'jwt-test-secret-that-is-long-enough';

describe('JWT HS256 (JWT_SECRET), no provisioning, role claim not trusted', () => {
  let t: TestApp;
  let ada: MadeUser;
  beforeAll(async () => {
    t = await createTestApp({ label: 'jwths', env: { JWT_SECRET: SECRET, TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    ada = await makeUser(t, 'ada');
  });
  afterAll(() => t.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('accepts a valid token: sub is the user id, scopes are those of the role', async () => {
    const token = signJwt({ sub: ada.user.id }, { alg: 'HS256', secret: SECRET });
    const res = await request(t.http).get('/api/user').set(bearer(token)).expect(200);
    expect(res.body).toMatchObject({ id: ada.user.id, handle: 'ada' });
    const key = await request(t.http).post('/api/user/api-keys').set(bearer(token)).send({ name: 'from jwt' }).expect(201);
    expect(key.body.scopes).toEqual(['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage', 'account', 'reviews:decide']);
  });

  it('ignores the role claim unless trust_role_claim is on', async () => {
    const token = signJwt({ sub: ada.user.id, role: 'admin' }, { alg: 'HS256', secret: SECRET });
    const res = await request(t.http).get('/api/admin/users').set(bearer(token)).expect(403);
    expect(res.body.error.details).toEqual({ missing_scopes: ['admin'] });
  });

  it('refuses an expired token, saying when it expired', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    const token = signJwt({ sub: ada.user.id, iat: past - 60, exp: past }, { alg: 'HS256', secret: SECRET });
    const res = await request(t.http).get('/api/user').set(bearer(token)).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(res.body.error.message).toContain(`it expired at ${new Date(past * 1000).toISOString()}`);
  });

  it('refuses a token signed with another secret', async () => {
    const token = signJwt({ sub: ada.user.id }, { alg: 'HS256', secret: 'some other secret' });
    const res = await request(t.http).get('/api/user').set(bearer(token)).expect(401);
    expect(res.body.error.message).toContain('its signature does not match the keys this server trusts');
  });

  it('refuses a token whose signature was tampered with', async () => {
    const token = signJwt({ sub: ada.user.id }, { alg: 'HS256', secret: SECRET });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'someone-else', exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
    await request(t.http).get('/api/user').set(bearer(forged)).expect(401);
  });

  it('refuses an unknown sub when auto_provision is off, and creates nobody', async () => {
    const token = signJwt({ sub: 'stranger-1', preferred_username: 'stranger' }, { alg: 'HS256', secret: SECRET });
    const res = await request(t.http).get('/api/user').set(bearer(token)).expect(401);
    expect(res.body.error.message).toContain('The token\'s user "stranger-1" does not exist on this server');
    expect(res.body.error.message).toContain('auth.jwt.auto_provision');
    const rows = await t.dataSource.query(`SELECT id FROM users WHERE id = 'stranger-1'`);
    expect(rows).toEqual([]);
  });

  it('refuses tokens without sub, malformed tokens and RS256 tokens without a JWKS', async () => {
    const noSub = signJwt({ name: 'x' }, { alg: 'HS256', secret: SECRET });
    expect((await request(t.http).get('/api/user').set(bearer(noSub)).expect(401)).body.error.message).toContain('no "sub" claim');
    expect((await request(t.http).get('/api/user').set(bearer('not-a-jwt')).expect(401)).body.error.message).toContain('not a well-formed JWT');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = signJwt({ sub: ada.user.id }, { alg: 'RS256', privateKey });
    expect((await request(t.http).get('/api/user').set(bearer(rs)).expect(401)).body.error.message).toContain('no auth.jwt.jwks_url');
  });
});

describe('JWT with auto_provision and trust_role_claim on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      label: 'jwtprov',
      env: { JWT_SECRET: SECRET, TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: { auth: { jwt: { auto_provision: true, trust_role_claim: true } }, credits: { initial_grant: 300 } },
    });
  });
  afterAll(() => t.close());

  const token = (claims: Record<string, unknown>) => ({ Authorization: `Bearer ${signJwt(claims, { alg: 'HS256', secret: SECRET })}` });

  it('provisions an unknown sub once, with a handle from its claims and a credit account, even under concurrent requests', async () => {
    const headers = token({ sub: 'idp|grace', preferred_username: 'Grace', email: 'grace@example.com', name: 'Grace Hopper' });
    const answers = await Promise.all([1, 2, 3, 4].map(() => request(t.http).get('/api/user').set(headers)));
    for (const res of answers) expect(res.status).toBe(200);
    expect(answers[0]!.body).toMatchObject({ id: 'idp|grace', handle: 'grace', email: 'grace@example.com', name: 'Grace Hopper', role: 'user' });
    const users = await t.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE id = 'idp|grace'`);
    const balance = await t.dataSource.query(`SELECT balance FROM credit_balances WHERE user_id = 'idp|grace'`);
    expect([users, balance]).toEqual([[{ n: 1 }], [{ balance: '300' }]]);
  });

  it('gives a provisioned user a free handle when its preferred one is taken', async () => {
    await makeUser(t, 'linus');
    const res = await request(t.http)
      .get('/api/user')
      .set(token({ sub: 'idp|linus2', preferred_username: 'linus' }))
      .expect(200);
    expect(res.body.handle).toBe('linus-2');
  });

  it('trusts the role claim: admin in the token opens admin routes, user in the token closes them', async () => {
    await request(t.http)
      .get('/api/admin/users')
      .set(token({ sub: 'idp|root', role: 'admin' }))
      .expect(200);
    const stored = await t.dataSource.query(`SELECT role FROM users WHERE id = 'idp|root'`);
    expect(stored).toEqual([{ role: 'admin' }]);
    await request(t.http)
      .get('/api/admin/users')
      .set(token({ sub: 'idp|root', role: 'user' }))
      .expect(403);
    await request(t.http)
      .get('/api/admin/users')
      .set(token({ sub: 'idp|grace', role: 'superuser' }))
      .expect(403);
  });
});

describe('JWT RS256 from a JWKS URL, with issuer and audience', () => {
  let t: TestApp;
  let jwks: Server;
  let privateKey: KeyObject;
  let ada: MadeUser;
  let fetches = 0;
  const issuer = 'https://idp.example.com/';
  const audience = 'trellis';

  beforeAll(async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const keys = [
      { ...pair.publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' },
      { ...other.export({ format: 'jwk' }), kid: 'key-2', alg: 'RS256', use: 'sig' },
    ];
    jwks = createServer((req, res) => {
      fetches += 1;
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    t = await createTestApp({
      label: 'jwtjwks',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: { auth: { jwt: { jwks_url: `http://127.0.0.1:${port}/.well-known/jwks.json`, issuer, audience } } },
    });
    ada = await makeUser(t, 'ada');
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const rs256 = (claims: Record<string, unknown>, kid = 'key-1') => ({
    Authorization: `Bearer ${signJwt({ iss: issuer, aud: audience, ...claims }, { alg: 'RS256', privateKey, kid })}`,
  });

  it('accepts a token signed by a key of the JWKS, fetching the set once', async () => {
    const res = await request(t.http)
      .get('/api/user')
      .set(rs256({ sub: ada.user.id }))
      .expect(200);
    expect(res.body.handle).toBe('ada');
    await request(t.http)
      .get('/api/user')
      .set(rs256({ sub: ada.user.id }))
      .expect(200);
    expect(fetches).toBe(1);
  });

  it('refuses a token naming another key of the set, or a key it does not have', async () => {
    const wrong = await request(t.http)
      .get('/api/user')
      .set(rs256({ sub: ada.user.id }, 'key-2'))
      .expect(401);
    expect(wrong.body.error.message).toContain('signature does not match');
    const missing = await request(t.http)
      .get('/api/user')
      .set(rs256({ sub: ada.user.id }, 'key-9'))
      .expect(401);
    expect(missing.body.error.message).toContain('matches its key id (kid) key-9');
  });

  it('checks the issuer and the audience', async () => {
    const aud = await request(t.http)
      .get('/api/user')
      .set(rs256({ sub: ada.user.id, aud: 'someone-else' }))
      .expect(401);
    expect(aud.body.error.message).toContain('audience (aud)');
    const iss = await request(t.http)
      .get('/api/user')
      .set(rs256({ sub: ada.user.id, iss: 'https://evil.example.com/' }))
      .expect(401);
    expect(iss.body.error.message).toContain('issuer (iss)');
  });

  it('refuses HS256 tokens when no secret is configured', async () => {
    const token = signJwt({ sub: ada.user.id, iss: issuer, aud: audience }, { alg: 'HS256', secret: 'guess' });
    const res = await request(t.http).get('/api/user').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.error.message).toContain('this server has no JWT_SECRET');
  });
});
