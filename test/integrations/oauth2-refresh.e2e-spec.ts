import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { BlockDefinition } from '../../src/blocks/block.types.js';
import type { CredentialResolution } from '../../src/blocks/credential-resolver.js';
import { CredentialsResolver } from '../../src/integrations/credentials.resolver.js';
import { waitFor } from '../helpers/wait.js';
import { createIntegrationsApp, makeUser, newKey, type IntegrationsApp, type MadeUser } from './integrations-app.js';
import { OAuthTestServer } from './oauth-server.js';

const MARK = 'refreshmark5529';

const githubish: BlockDefinition = {
  id: 'test.github',
  description: 'a block taking an oauth2 credential',
  category: 'github',
  inputSchema: { type: 'object', properties: {} },
  outputSchema: { type: 'object', properties: {} },
  credentials: { github: { provider: 'acme', types: ['oauth2'] } },
  cost: 0,
  async *run() {},
};

describe('OAuth2 refresh before use', () => {
  let oauth: OAuthTestServer;
  let key: string;
  let t: IntegrationsApp;
  /** A second process of the same cluster: its own pool, its own in-process coalescing, the same database. */
  let t2: IntegrationsApp;
  let ada: MadeUser;

  beforeAll(async () => {
    oauth = await OAuthTestServer.start({ clientId: 'cid', clientSecret: `cs-${MARK}`, marker: MARK });
    key = newKey();
    const overrides = {
      integrations: {
        oauth2: { acme: { authorize_url: `${oauth.url}/authorize`, token_url: `${oauth.url}/token`, client_id: 'cid', client_secret: `cs-${MARK}` } },
      },
    };
    t = await createIntegrationsApp({ label: 'refresh', env: { TRELLIS_ENCRYPTION_KEY: key }, overrides });
    t2 = await createIntegrationsApp({ label: 'refresh2', env: { TRELLIS_ENCRYPTION_KEY: key }, overrides, database: t.database });
    ada = await makeUser(t.http, 'ada');
  });
  afterAll(async () => {
    await t2.close();
    await t.close();
    await oauth.close();
  });

  async function storeToken(name: string, secondsLeft: number, refreshToken: string | null): Promise<string> {
    const accessToken = `at-stored-${name}-${MARK}`;
    const secrets: Record<string, unknown> = {
      access_token: accessToken,
      expires_at: new Date(Date.now() + secondsLeft * 1000).toISOString(),
      scopes: ['repo'],
    };
    if (refreshToken) secrets.refresh_token = refreshToken;
    await request(t.http).post('/api/integrations/credentials').set('X-API-Key', ada.key).send({ name, provider: 'acme', type: 'oauth2', secrets }).expect(201);
    return accessToken;
  }

  const resolveOn = (app: IntegrationsApp, name: string): Promise<CredentialResolution> =>
    app.app.get(CredentialsResolver).resolve({ block: githubish, names: { github: name }, userId: ada.id });

  /** Holds refresh answers until released, so concurrent callers really overlap. */
  function gate(): () => void {
    let release!: () => void;
    oauth.refreshGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      oauth.refreshGate = null;
      release();
    };
  }

  it('uses a token with time left as it is, without calling the provider', async () => {
    const stored = await storeToken('fresh', 3600, oauth.mintRefreshToken());
    const before = oauth.refreshArrivals;
    const { credentials, problems } = await resolveOn(t, 'fresh');
    expect(problems).toEqual([]);
    expect(credentials.github!.fields.access_token).toBe(stored);
    expect(oauth.refreshArrivals).toBe(before);
  });

  it('refreshes a token about to expire exactly once for 20 concurrent resolutions, and all get the new token', async () => {
    const stored = await storeToken('expiring', 30, oauth.mintRefreshToken());
    const before = oauth.refreshArrivals;
    const release = gate();
    const all = Promise.all(Array.from({ length: 20 }, () => resolveOn(t, 'expiring')));
    await waitFor(
      () => oauth.refreshArrivals,
      (n) => n === before + 1,
      { what: 'the refresh request' },
    );
    release();
    const results = await all;
    expect(oauth.refreshArrivals).toBe(before + 1);
    const tokens = new Set(results.map((r) => r.credentials.github?.fields.access_token));
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect(tokens.size).toBe(1);
    const [fresh] = [...tokens];
    expect(fresh).not.toBe(stored);
    expect(oauth.issuedTokens).toContain(fresh);
    const [row] = await t.dataSource.query("SELECT version, refresh_lease_until, metadata FROM credentials WHERE name = 'expiring'");
    expect(row.version).toBe(2);
    expect(row.refresh_lease_until).toBeNull();
    expect(row.metadata.scopes).toEqual(['repo', 'read:user']);
    expect(new Date(row.metadata.expires_at).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    // The refreshed row is read by later uses without another call.
    expect((await resolveOn(t, 'expiring')).credentials.github!.fields.access_token).toBe(fresh);
    expect(oauth.refreshArrivals).toBe(before + 1);
  });

  it('refreshes once across two processes sharing the database', async () => {
    await storeToken('shared-expiring', 10, oauth.mintRefreshToken());
    const before = oauth.refreshArrivals;
    const release = gate();
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => resolveOn(i % 2 ? t2 : t, 'shared-expiring')));
    await waitFor(
      () => oauth.refreshArrivals,
      (n) => n >= before + 1,
      { what: 'the refresh request' },
    );
    release();
    const results = await all;
    expect(oauth.refreshArrivals).toBe(before + 1);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect(new Set(results.map((r) => r.credentials.github!.fields.access_token)).size).toBe(1);
  });

  it('keeps the refresh token when the provider sends no new one, and refreshes an already expired token', async () => {
    const refreshToken = oauth.mintRefreshToken();
    await storeToken('expired', -600, refreshToken);
    const { credentials, problems } = await resolveOn(t, 'expired');
    expect(problems).toEqual([]);
    expect(credentials.github!.fields.refresh_token).toBe(refreshToken);
    expect(Date.parse(credentials.github!.fields.expires_at!)).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('fails resolution with a clear message, never the token, when the provider refuses the refresh', async () => {
    const revoked = `rt-revoked-${MARK}`;
    const stored = await storeToken('revoked', 5, revoked);
    const { credentials, problems } = await resolveOn(t, 'revoked');
    expect(credentials).toEqual({});
    expect(problems).toEqual([
      {
        pointer: '/credentials/github',
        message:
          'github: your oauth2 credential "revoked" could not be refreshed: The refresh at acme\'s token endpoint failed: the provider refused it with "invalid_grant" ' +
          '(refresh token [redacted] was revoked). The grant is no longer valid: sign in again with POST /api/integrations/acme/login.',
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain(MARK);
    expect(JSON.stringify(problems)).not.toContain(stored);
    const [row] = await t.dataSource.query("SELECT version, refresh_lease_until FROM credentials WHERE name = 'revoked'");
    expect(row).toEqual({ version: 1, refresh_lease_until: null });
  });

  it('reports a provider outage, and a token that expired with no refresh token', async () => {
    await storeToken('outage', 5, oauth.mintRefreshToken());
    oauth.refreshMode = 'server_error';
    try {
      const { problems } = await resolveOn(t, 'outage');
      expect(problems[0]!.message).toContain(
        "could not be refreshed: The refresh at acme's token endpoint failed: the provider answered HTTP 503. Try again later",
      );
      expect(problems[0]!.message).not.toContain(MARK);
    } finally {
      oauth.refreshMode = 'ok';
    }
    await storeToken('no-refresh', -5, null);
    const { problems } = await resolveOn(t, 'no-refresh');
    expect(problems[0]!.message).toMatch(
      /^github: your oauth2 credential "no-refresh" expired at .* and has no refresh token\. Sign in again with POST \/api\/integrations\/acme\/login \{"name": "no-refresh"\}\.$/,
    );
    // Still valid for a few seconds, no refresh token: used as it is.
    const soon = await storeToken('no-refresh-soon', 20, null);
    expect((await resolveOn(t, 'no-refresh-soon')).credentials.github!.fields.access_token).toBe(soon);
  });

  it('reports a provider that is no longer configured', async () => {
    await request(t.http)
      .post('/api/integrations/credentials')
      .set('X-API-Key', ada.key)
      .send({ name: 'gone', provider: 'gone', type: 'oauth2', secrets: { access_token: 'x', refresh_token: 'y', expires_at: new Date().toISOString() } })
      .expect(201);
    const resolver = t.app.get(CredentialsResolver);
    const block = { ...githubish, credentials: { github: { provider: 'gone', types: ['oauth2' as const] } } };
    const { problems } = await resolver.resolve({ block, names: { github: 'gone' }, userId: ada.id });
    expect(problems[0]!.message).toContain('could not be refreshed: No OAuth2 provider "gone". Configured providers: acme.');
  });
});
