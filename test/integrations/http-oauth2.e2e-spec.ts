// http.request with an oauth2 credential, end to end through POST /api/blocks/http.request/execute: the
// token goes as Bearer only to the provider's configured hosts, is refreshed before expiry, and once more
// (once for every concurrent caller) when the API answers 401; a redirect to another origin loses it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createIntegrationsApp, makeUser, type IntegrationsApp, type MadeUser } from './integrations-app.js';
import { OAuthTestServer } from './oauth-server.js';

const MARK = 'httpoauthmark7731';

/** A local API that records every request; it accepts the tokens `accepted` says, else 401. */
class RecordingApi {
  readonly requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  accepted: (token: string) => boolean = () => true;
  redirectTo = '';
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<RecordingApi> {
    let api: RecordingApi | null = null;
    const server = createServer((req, res) => {
      api!.requests.push({ url: req.url ?? '', headers: req.headers });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${api!.redirectTo}/landed` }).end();
        return;
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.url !== '/open' && (!token || !api!.accepted(token))) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Bad credentials"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ login: 'ada', path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new RecordingApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return api;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('http.request with an oauth2 credential', () => {
  let oauth: OAuthTestServer;
  let api: RecordingApi;
  let elsewhere: RecordingApi;
  let t: IntegrationsApp;
  let ada: MadeUser;

  beforeAll(async () => {
    oauth = await OAuthTestServer.start({ clientId: 'cid', clientSecret: `cs-${MARK}`, marker: MARK });
    api = await RecordingApi.start();
    elsewhere = await RecordingApi.start();
    const provider = { authorize_url: `${oauth.url}/authorize`, token_url: `${oauth.url}/token`, client_id: 'cid', client_secret: `cs-${MARK}` };
    t = await createIntegrationsApp({
      label: 'http-oauth2',
      overrides: {
        http: { allow_private_addresses: true },
        integrations: { oauth2: { acme: { ...provider, hosts: [api.url] }, nohosts: provider } },
      },
    });
    ada = await makeUser(t.http, 'ada');
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([oauth.close(), api.close(), elsewhere.close()]);
  });

  async function storeToken(name: string, secondsLeft: number, provider = 'acme'): Promise<string> {
    const accessToken = `at-stored-${name}-${MARK}`;
    const secrets = { access_token: accessToken, refresh_token: oauth.mintRefreshToken(), expires_at: new Date(Date.now() + secondsLeft * 1000).toISOString() };
    await request(t.http).post('/api/integrations/credentials').set('X-API-Key', ada.key).send({ name, provider, type: 'oauth2', secrets }).expect(201);
    return accessToken;
  }

  const call = (credential: string, url: string) =>
    request(t.http)
      .post('/api/blocks/http.request/execute')
      .set('X-API-Key', ada.key)
      .send({ inputs: { url }, credentials: { auth: credential } });

  const outputsOf = (body: { outputs?: Array<{ pin: string; value: unknown }> }) => Object.fromEntries((body.outputs ?? []).map((o) => [o.pin, o.value]));
  const seenBy = (server: RecordingApi, path: string) => server.requests.filter((r) => r.url === path).map((r) => r.headers.authorization);

  it('sends a token with time left as Bearer, without a refresh', async () => {
    const stored = await storeToken('fresh', 3600);
    const before = oauth.refreshArrivals;
    const res = await call('fresh', `${api.url}/fresh`).expect(200);
    expect(outputsOf(res.body)).toMatchObject({ status: 200, json: { login: 'ada' } });
    expect(seenBy(api, '/fresh')).toEqual([`Bearer ${stored}`]);
    expect(oauth.refreshArrivals).toBe(before);
  });

  it('refreshes a token about to expire before the request', async () => {
    const stored = await storeToken('expiring', 20);
    const before = oauth.refreshArrivals;
    await call('expiring', `${api.url}/expiring`).expect(200);
    expect(oauth.refreshArrivals).toBe(before + 1);
    const [sent] = seenBy(api, '/expiring');
    expect(sent).not.toBe(`Bearer ${stored}`);
    expect(oauth.issuedTokens).toContain(sent!.slice('Bearer '.length));
  });

  it('on 401 refreshes once for 8 concurrent requests and retries each with the new token', async () => {
    const revoked = await storeToken('revoked', 3600);
    api.accepted = (token) => token !== revoked;
    const before = oauth.refreshArrivals;
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('revoked', `${api.url}/revoked`)));
    api.accepted = () => true;
    for (const res of answers) expect(outputsOf(res.body)).toMatchObject({ status: 200 });
    expect(oauth.refreshArrivals).toBe(before + 1);
    const sent = seenBy(api, '/revoked');
    const retried = sent.filter((h) => h !== `Bearer ${revoked}`);
    expect(retried).toHaveLength(8);
    expect(new Set(retried).size).toBe(1);
    // The next run uses the refreshed token straight away.
    await call('revoked', `${api.url}/revoked-again`).expect(200);
    expect(seenBy(api, '/revoked-again')).toEqual([retried[0]]);
  });

  it('never sends the token to a host the provider does not list, nor after a redirect to another origin', async () => {
    const stored = await storeToken('bound', 3600);
    const refused = await call('bound', `${elsewhere.url}/steal`);
    expect(JSON.stringify(refused.body)).toContain('CREDENTIAL_HOST_REFUSED');
    expect(elsewhere.requests.filter((r) => r.url === '/steal')).toEqual([]);
    api.redirectTo = elsewhere.url;
    await call('bound', `${api.url}/redirect`);
    expect(seenBy(api, '/redirect')).toEqual([`Bearer ${stored}`]);
    expect(elsewhere.requests.filter((r) => r.url === '/landed').map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  it('refuses an oauth2 credential whose provider lists no hosts', async () => {
    await storeToken('unbound', 3600, 'nohosts');
    const res = await call('unbound', `${api.url}/unbound`);
    expect(JSON.stringify(res.body)).toContain('CREDENTIAL_HOSTS_REQUIRED');
    expect(seenBy(api, '/unbound')).toEqual([]);
  });
});
