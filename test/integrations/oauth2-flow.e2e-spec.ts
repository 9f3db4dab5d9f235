import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { BlockDefinition } from '../../src/blocks/block.types.js';
import { CredentialsResolver } from '../../src/integrations/credentials.resolver.js';
import { createIntegrationsApp, makeUser, type IntegrationsApp, type MadeUser } from './integrations-app.js';
import { OAuthTestServer } from './oauth-server.js';

const MARK = 'oauthflowmark7731';
const CLIENT_ID = 'trellis-client';
const CLIENT_SECRET = `cs-${MARK}`;

const githubish: BlockDefinition = {
  id: 'test.github',
  description: 'a block taking an oauth2 credential',
  category: 'github',
  inputSchema: { type: 'object', properties: {} },
  outputSchema: { type: 'object', properties: {} },
  credentials: { github: { provider: 'acme', types: ['api_key', 'oauth2'] } },
  cost: 0,
  async *run() {},
};

describe('OAuth2 sign-in: authorization code with PKCE', () => {
  let oauth: OAuthTestServer;
  let t: IntegrationsApp;
  let ada: MadeUser;
  let bob: MadeUser;

  beforeAll(async () => {
    oauth = await OAuthTestServer.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, marker: MARK });
    const provider = (extra: Record<string, unknown> = {}) => ({
      authorize_url: `${oauth.url}/authorize?audience=api`,
      token_url: `${oauth.url}/token`,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scopes: ['repo', 'read:user'],
      ...extra,
    });
    t = await createIntegrationsApp({
      label: 'oauthflow',
      credentialsYaml: 'shared-gh:\n  provider: acme\n  type: api_key\n  env: { key: INT_TEST_SHARED_GH }\n  allow: { roles: [admin, user] }\n',
      overrides: {
        integrations: {
          oauth2: {
            acme: provider(),
            other: provider(),
            badclient: provider({ client_secret: 'wrong' }),
            down: provider({ token_url: 'http://127.0.0.1:9/token' }),
            broken: { authorize_url: 'not a url', client_id: '' },
          },
        },
      },
    });
    ada = await makeUser(t.http, 'ada');
    bob = await makeUser(t.http, 'bob');
  });
  afterAll(async () => {
    await t.close();
    await oauth.close();
  });

  const login = (user: MadeUser, provider: string, body: unknown) =>
    request(t.http)
      .post(`/api/integrations/${provider}/login`)
      .set('X-API-Key', user.key)
      .send(body as object);

  /** What the browser does: open login_url, follow the provider's redirect back to our callback. */
  async function browse(loginUrl: string): Promise<string> {
    const res = await fetch(loginUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    return `${back.pathname}${back.search}`;
  }

  it('answers a login_url with PKCE S256, state, the scopes and our callback', async () => {
    const res = await login(ada, 'acme', { name: 'acme-main' }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'login_url']);
    const url = new URL(res.body.login_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${oauth.url}/authorize`);
    const q = url.searchParams;
    expect(q.get('audience')).toBe('api');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('scope')).toBe('repo read:user');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/integrations\/acme\/callback$/);
    expect(res.body.login_url).not.toContain(CLIENT_SECRET);
    const [row] = await t.dataSource.query('SELECT user_id, provider, name, code_verifier, key_id, expires_at FROM oauth_states WHERE state = $1', [
      q.get('state'),
    ]);
    expect(row).toMatchObject({ user_id: ada.id, provider: 'acme', name: 'acme-main' });
    expect(row.code_verifier).toMatch(/^v1\./);
    expect(new Date(row.expires_at).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
  });

  it('completes the flow: the callback exchanges the code with the verifier and stores the oauth2 credential', async () => {
    const started = await login(ada, 'acme', { name: 'acme-flow' }).expect(200);
    const callback = await browse(started.body.login_url);
    const res = await request(t.http).get(callback).expect(200);
    expect(res.body).toMatchObject({ name: 'acme-flow', provider: 'acme', type: 'oauth2', version: 1, metadata: { scopes: ['repo', 'read:user'] } });
    expect(new Date(res.body.metadata.expires_at).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(JSON.stringify(res.body)).not.toContain(MARK);
    const exchange = oauth.tokenRequests.filter((r) => r.grantType === 'authorization_code');
    expect(exchange.at(-1)).toEqual({ grantType: 'authorization_code', ok: true });
    const state = new URL(started.body.login_url).searchParams.get('state');
    expect(await t.dataSource.query('SELECT 1 FROM oauth_states WHERE state = $1', [state])).toEqual([]);

    const resolver = t.app.get(CredentialsResolver);
    const resolved = await resolver.resolve({ block: githubish, names: { github: 'acme-flow' }, userId: ada.id });
    expect(resolved.problems).toEqual([]);
    expect(resolved.credentials.github!.type).toBe('oauth2');
    expect(oauth.issuedTokens).toContain(resolved.credentials.github!.fields.access_token);
    expect(oauth.issuedTokens).toContain(resolved.credentials.github!.fields.refresh_token);

    const list = await request(t.http).get('/api/integrations/credentials').set('X-API-Key', ada.key).expect(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toContain('acme-flow');
  });

  it('uses a state once: the same callback again is a 400', async () => {
    const started = await login(ada, 'acme', { name: 'acme-once' }).expect(200);
    const callback = await browse(started.body.login_url);
    await request(t.http).get(callback).expect(200);
    const again = await request(t.http).get(callback).expect(400);
    expect(again.body.error.code).toBe('OAUTH2_STATE_INVALID');
    expect(again.body.error.message).toBe(
      'This sign-in is unknown or was already completed (a state works once). Start the sign-in again with POST /api/integrations/{provider}/login.',
    );
  });

  it('signing in again under the same name replaces the token (a new version)', async () => {
    const started = await login(ada, 'acme', { name: 'acme-flow' }).expect(200);
    const res = await request(t.http)
      .get(await browse(started.body.login_url))
      .expect(200);
    expect(res.body).toMatchObject({ name: 'acme-flow', version: 2 });
  });

  it('refuses an unknown, missing, expired or other-provider state with a clear 400', async () => {
    const unknown = await request(t.http).get('/api/integrations/acme/callback?code=x&state=nope').expect(400);
    expect(unknown.body.error.message).toContain('unknown or was already completed');
    const missing = await request(t.http).get('/api/integrations/acme/callback?code=x').expect(400);
    expect(missing.body.error.message).toContain('The callback has no "state" parameter');

    const expiring = await login(ada, 'acme', { name: 'acme-late' }).expect(200);
    const callback = await browse(expiring.body.login_url);
    await t.dataSource.query("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE name = 'acme-late'");
    const expired = await request(t.http).get(callback).expect(400);
    expect(expired.body.error.message).toMatch(/^This sign-in expired at .* \(a sign-in must finish within 10 minutes\)\. Start the sign-in again/);

    const forAcme = await login(ada, 'acme', { name: 'acme-cross' }).expect(200);
    const acmeCallback = await browse(forAcme.body.login_url);
    const crossed = await request(t.http).get(acmeCallback.replace('/acme/', '/other/')).expect(400);
    expect(crossed.body.error.message).toContain('This sign-in was started for provider "acme", not "other"');
    await request(t.http).get('/api/integrations/acme/callback?state=x&state=y').expect(400);
  });

  it('reports a sign-in the user declined at the provider', async () => {
    const started = await login(ada, 'acme', { name: 'acme-denied' }).expect(200);
    const state = new URL(started.body.login_url).searchParams.get('state')!;
    const res = await request(t.http)
      .get(`/api/integrations/acme/callback?error=access_denied&error_description=${encodeURIComponent('The user said no')}&state=${state}`)
      .expect(400);
    expect(res.body.error).toMatchObject({ code: 'OAUTH2_AUTHORIZATION_DENIED', details: { provider: 'acme', provider_error: 'access_denied' } });
    expect(res.body.error.message).toContain('acme did not authorise the sign-in (access_denied: The user said no)');
    const [row] = await t.dataSource.query("SELECT count(*)::int AS n FROM credentials WHERE name = 'acme-denied'");
    expect(row.n).toBe(0);
  });

  it('fails the exchange when the verifier does not match the challenge (the provider checks PKCE)', async () => {
    const first = await login(ada, 'acme', { name: 'acme-pkce-a' }).expect(200);
    const second = await login(ada, 'acme', { name: 'acme-pkce-b' }).expect(200);
    // The code was issued for the first flow's challenge, but arrives with the second flow's state (and verifier).
    const callback = new URL(await browse(first.body.login_url), 'http://x');
    callback.searchParams.set('state', new URL(second.body.login_url).searchParams.get('state')!);
    const res = await request(t.http).get(`${callback.pathname}${callback.search}`).expect(400);
    expect(res.body.error).toMatchObject({ code: 'OAUTH2_TOKEN_FAILED', details: { provider: 'acme', provider_error: 'invalid_grant' } });
    expect(res.body.error.message).toContain('the provider refused it with "invalid_grant" (PKCE verification failed)');
    expect(oauth.tokenRequests.at(-1)).toEqual({ grantType: 'authorization_code', ok: false, error: 'invalid_grant' });
  });

  it('reports refused client credentials and an unreachable token endpoint', async () => {
    const bad = await login(ada, 'badclient', { name: 'bc' }).expect(200);
    const refused = await request(t.http)
      .get(await browse(bad.body.login_url))
      .expect(400);
    expect(refused.body.error.message).toContain('"invalid_client"');
    expect(refused.body.error.message).toContain('an admin must check integrations.oauth2.badclient.client_id and client_secret');
    expect(refused.body.error.message).not.toContain('wrong');

    const down = await login(ada, 'down', { name: 'dn' }).expect(200);
    const unreachable = await request(t.http)
      .get(await browse(down.body.login_url))
      .expect(502);
    expect(unreachable.body.error.code).toBe('OAUTH2_TOKEN_FAILED');
    expect(unreachable.body.error.message).toContain("Exchanging the sign-in code at down's token endpoint failed: it could not be reached");
  });

  it('answers 404 for an unknown provider, listing the configured ones', async () => {
    const res = await login(ada, 'nosuch', { name: 'x' }).expect(404);
    expect(res.body.error.message).toBe(
      'No OAuth2 provider "nosuch". Configured providers: acme, badclient, broken, down, other. Add one under integrations.oauth2.nosuch (authorize_url, token_url, client_id, client_secret, scopes) in config/.',
    );
    expect(res.body.error.details.configured).toEqual(['acme', 'badclient', 'broken', 'down', 'other']);
    await request(t.http).get('/api/integrations/nosuch/callback?code=x&state=y').expect(404);
    await request(t.http).post('/api/integrations/__proto__/login').set('X-API-Key', ada.key).send({ name: 'x' }).expect(404);
  });

  it('says what is wrong with a misconfigured provider', async () => {
    const res = await login(ada, 'broken', { name: 'x' }).expect(500);
    expect(res.body.error.message).toContain(
      'The OAuth2 provider "broken" is not configured correctly (integrations.oauth2.broken): authorize_url must be an http(s) URL; token_url must be an http(s) URL; client_id is required',
    );
  });

  it('refuses names taken by config or by a credential of another type, and bad bodies', async () => {
    const config = await login(ada, 'acme', { name: 'shared-gh' }).expect(409);
    expect(config.body.error.message).toContain('config/credentials.yaml');
    await request(t.http)
      .post('/api/integrations/credentials')
      .set('X-API-Key', ada.key)
      .send({ name: 'plain', provider: 'acme', type: 'api_key', secrets: { key: 'k' } })
      .expect(201);
    const typed = await login(ada, 'acme', { name: 'plain' }).expect(409);
    expect(typed.body.error.message).toContain('Your credential "plain" is of type api_key (acme), not oauth2 (acme)');
    const otherProvider = await login(ada, 'other', { name: 'acme-flow' }).expect(409);
    expect(otherProvider.body.error.message).toContain('is of type oauth2 (acme), not oauth2 (other)');
    const bad = await login(ada, 'acme', { name: 'no spaces', extra: 1 }).expect(400);
    expect(bad.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual(['/extra', '/name']);
    await login(ada, 'acme', {}).expect(400);
  });

  it('binds the flow to the user who started it', async () => {
    const started = await login(bob, 'acme', { name: 'bob-acme' }).expect(200);
    await request(t.http)
      .get(await browse(started.body.login_url))
      .expect(200);
    const [row] = await t.dataSource.query("SELECT user_id FROM credentials WHERE name = 'bob-acme'");
    expect(row.user_id).toBe(bob.id);
    await request(t.http).get('/api/integrations/credentials/bob-acme').set('X-API-Key', ada.key).expect(404);
  });

  it('needs the credentials:manage scope to start, and nothing to finish', async () => {
    await request(t.http).post('/api/integrations/acme/login').send({ name: 'x' }).expect(401);
    const limited = await request(t.http)
      .post('/api/user/api-keys')
      .set('X-API-Key', ada.key)
      .send({ name: 'ro', scopes: ['graphs:read'] })
      .expect(201);
    await request(t.http).post('/api/integrations/acme/login').set('X-API-Key', limited.body.key).send({ name: 'x' }).expect(403);
    // Finishing needs no credentials at all (the browser comes back without them): the state alone
    // authorises it, and the credential belongs to the user who started the sign-in.
    const started = await login(ada, 'acme', { name: 'acme-no-key' }).expect(200);
    const finished = await request(t.http)
      .get(await browse(started.body.login_url))
      .expect(200);
    expect(finished.body).toMatchObject({ name: 'acme-no-key', provider: 'acme', type: 'oauth2' });
    const [row] = await t.dataSource.query("SELECT user_id FROM credentials WHERE name = 'acme-no-key'");
    expect(row.user_id).toBe(ada.id);
    // A key without credentials:manage on the way back changes nothing either.
    const again = await login(ada, 'acme', { name: 'acme-limited-back' }).expect(200);
    const back = await request(t.http)
      .get(await browse(again.body.login_url))
      .set('X-API-Key', limited.body.key)
      .expect(200);
    expect(back.body).toMatchObject({ name: 'acme-limited-back', provider: 'acme', type: 'oauth2' });
    const [backRow] = await t.dataSource.query("SELECT user_id FROM credentials WHERE name = 'acme-limited-back'");
    expect(backRow.user_id).toBe(ada.id);
  });
});
