// Secrets never leak: every credential path is exercised with secrets carrying a distinctive marker,
// then every row of every table (as text), every log line and every API answer is searched for it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Logger } from 'pino';
import request, { type Response } from 'supertest';
import type { BlockDefinition } from '../../src/blocks/block.types.js';
import { LOGGER } from '../../src/common/logger.js';
import { AppError } from '../../src/common/errors.js';
import { CredentialsResolver } from '../../src/integrations/credentials.resolver.js';
import { waitFor } from '../helpers/wait.js';
import { createIntegrationsApp, everyRowAsText, makeUser, type IntegrationsApp, type MadeUser } from './integrations-app.js';
import { OAuthTestServer } from './oauth-server.js';

const CANARY = `canary${randomBytes(6).toString('hex')}`;
const secret = (what: string) => `${what}-${CANARY}`;

const needsEverything: BlockDefinition = {
  id: 'test.everything',
  description: 'takes one credential of each kind',
  category: 'http',
  inputSchema: { type: 'object', properties: {} },
  outputSchema: { type: 'object', properties: {} },
  credentials: {
    api: { provider: 'openai', types: ['api_key'] },
    basic: { provider: 'http', types: ['user_password'] },
    oauth: { provider: 'acme', types: ['oauth2'] },
    mail: { provider: 'smtp', types: ['smtp'] },
  },
  cost: 0,
  async *run() {},
};

describe('secrets never leak', () => {
  let oauth: OAuthTestServer;
  let t: IntegrationsApp;
  let ada: MadeUser;
  let bob: MadeUser;
  const answers: string[] = [];
  const errors: string[] = [];

  const record = (res: Response) => {
    answers.push(res.text ?? '', JSON.stringify(res.headers));
    return res;
  };
  const api = (user: MadeUser) => ({
    post: (path: string, body: object) => request(t.http).post(path).set('X-API-Key', user.key).send(body).then(record),
    put: (path: string, body: object) => request(t.http).put(path).set('X-API-Key', user.key).send(body).then(record),
    get: (path: string) => request(t.http).get(path).set('X-API-Key', user.key).then(record),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', user.key).then(record),
  });
  const CREDS = '/api/integrations/credentials';

  beforeAll(async () => {
    oauth = await OAuthTestServer.start({ clientId: 'cid', clientSecret: secret('client'), marker: CANARY });
    t = await createIntegrationsApp({
      label: 'leaks',
      env: { INT_LEAK_CONFIG_KEY: secret('config') },
      credentialsYaml: 'team-key:\n  provider: openai\n  type: api_key\n  env: { key: INT_LEAK_CONFIG_KEY }\n  allow: { roles: [admin, user] }\n',
      overrides: {
        integrations: {
          oauth2: {
            acme: {
              authorize_url: `${oauth.url}/authorize`,
              token_url: `${oauth.url}/token`,
              client_id: 'cid',
              client_secret: secret('client'),
              scopes: ['repo'],
            },
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

  it('exercises every path with marked secrets', async () => {
    const a = api(ada);
    // Create every type, and fail to create in every way.
    expect((await a.post(CREDS, { name: 'api', provider: 'openai', type: 'api_key', secrets: { key: secret('key') } })).status).toBe(201);
    expect(
      (await a.post(CREDS, { name: 'basic', provider: 'http', type: 'user_password', secrets: { username: secret('user'), password: secret('pass') } })).status,
    ).toBe(201);
    expect((await a.post(CREDS, { name: 'hook', provider: 'http', type: 'webhook_secret', secrets: { secret: secret('whsec') } })).status).toBe(201);
    expect(
      (await a.post(CREDS, { name: 'slack', provider: 'slack', type: 'secret_url', secrets: { url: `https://hooks.example.com/${secret('url')}` } })).status,
    ).toBe(201);
    expect((await a.post(CREDS, { name: 'hdr', provider: 'http', type: 'header', secrets: { name: 'X-Key', value: secret('hdr') } })).status).toBe(201);
    expect(
      (
        await a.post(CREDS, {
          name: 'mail',
          provider: 'smtp',
          type: 'smtp',
          secrets: { host: 'smtp.example.com', port: 587, username: secret('smtpuser'), password: secret('smtppass') },
        })
      ).status,
    ).toBe(201);
    expect((await a.post(CREDS, { name: 'api', provider: 'openai', type: 'api_key', secrets: { key: secret('dup') } })).status).toBe(409);
    expect((await a.post(CREDS, { name: 'team-key', provider: 'openai', type: 'api_key', secrets: { key: secret('cfg') } })).status).toBe(409);
    expect(
      (await a.post(CREDS, { name: 'bad name', provider: 'openai', type: 'api_key', secrets: { key: secret('bad'), [secret('field')]: secret('value') } }))
        .status,
    ).toBe(400);
    expect((await a.post(CREDS, { name: 'n', provider: 'openai', type: 'api_key', secrets: { key: { nested: secret('nested') } } })).status).toBe(400);
    expect(
      (await a.post(CREDS, { name: 'n', provider: 'smtp', type: 'smtp', secrets: { host: 'h', port: secret('port'), from: secret('from') } })).status,
    ).toBe(400);
    // List, get, other users, rotate, delete.
    expect((await a.get(CREDS)).status).toBe(200);
    expect((await a.get(`${CREDS}/api`)).status).toBe(200);
    expect((await api(bob).get(`${CREDS}/api`)).status).toBe(404);
    expect((await api(bob).put(`${CREDS}/api`, { secrets: { key: secret('bobput') } })).status).toBe(404);
    expect((await a.put(`${CREDS}/api`, { secrets: { key: secret('rotated') } })).status).toBe(200);
    expect((await a.put(`${CREDS}/basic`, { secrets: { key: secret('wrongtype') } })).status).toBe(400);
    expect((await a.put(`${CREDS}/missing`, { secrets: { key: secret('x') } })).status).toBe(404);
    expect((await a.delete(`${CREDS}/hdr`)).status).toBe(204);

    // OAuth2: sign in, reuse the state, refresh (concurrently), fail a refresh.
    const login = await a.post('/api/integrations/acme/login', { name: 'acme' });
    const location = (await fetch(login.body.login_url, { redirect: 'manual' })).headers.get('location')!;
    const callback = `${new URL(location).pathname}${new URL(location).search}`;
    expect(record(await request(t.http).get(callback)).status).toBe(200);
    expect(record(await request(t.http).get(callback)).status).toBe(400);
    const sealedExpiry = await api(ada).put(`${CREDS}/acme`, {
      secrets: { access_token: secret('expiring-at'), refresh_token: oauth.mintRefreshToken(), expires_at: new Date(Date.now() + 5_000).toISOString() },
    });
    expect(sealedExpiry.status).toBe(200);
    const resolver = t.app.get(CredentialsResolver);
    const names = { api: 'api', basic: 'basic', oauth: 'acme', mail: 'mail' };
    const before = oauth.refreshArrivals;
    const results = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve({ block: needsEverything, names, userId: ada.id })));
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect(oauth.refreshArrivals).toBe(before + 1);
    expect(results[0]!.credentials.api!.fields.key).toBe(secret('rotated'));
    // What a careless engine might do with resolved credentials: log them, store them as inputs.
    const logger = t.app.get(LOGGER) as Logger;
    logger.info({ credentials: results[0]!.credentials, node_inputs: { auth: results[0]!.credentials.basic } }, 'resolved credentials');
    logger.info({ secrets: { key: secret('logged') }, body: { secrets: { key: secret('logged2') } } }, 'a body');
    logger.info({ token: { access_token: secret('at'), refresh_token: secret('rt') }, client_secret: secret('cs'), code_verifier: secret('cv') }, 'tokens');
    await t.dataSource.query('CREATE TABLE leak_probe_inputs (inputs jsonb)');
    await t.dataSource.query('INSERT INTO leak_probe_inputs VALUES ($1)', [JSON.stringify(results[0]!.credentials)]);

    await api(ada).put(`${CREDS}/acme`, {
      secrets: { access_token: secret('old-at'), refresh_token: secret('revoked-rt'), expires_at: new Date().toISOString() },
    });
    const failed = await resolver.resolve({ block: needsEverything, names: { ...names, api: 'nope' }, userId: ada.id });
    errors.push(JSON.stringify(failed.problems));
    expect(failed.problems.map((p) => p.pointer)).toEqual(['/credentials/api', '/credentials/oauth']);
    const thrown = await resolver.resolveNodes(ada.id, [{ nodeId: 'n', block: needsEverything, names: { ...names, basic: 'api' } }]).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(AppError);
    errors.push((thrown as AppError).message, JSON.stringify((thrown as AppError).details));
    await waitFor(
      () => t.logLines.length,
      (n) => n > 0,
    );
  });

  it('finds the marker in no row of any table, no log line, no answer and no error (ciphertext aside)', async () => {
    const rows = await everyRowAsText(t.dataSource);
    expect(rows.some((r) => r.table === 'credentials')).toBe(true);
    expect(rows.filter((r) => r.row.includes(CANARY))).toEqual([]);
    expect(t.logLines.length).toBeGreaterThan(20);
    expect(t.logLines.filter((line) => line.includes(CANARY))).toEqual([]);
    expect(answers.filter((text) => text.includes(CANARY))).toEqual([]);
    expect(errors.filter((text) => text.includes(CANARY))).toEqual([]);
    // The PKCE verifier and the one-time code are secrets too.
    const oneTime = [...oauth.seenVerifiers, ...oauth.issuedCodes];
    expect(oneTime.length).toBeGreaterThan(1);
    for (const value of oneTime) {
      expect(rows.filter((r) => r.row.includes(value))).toEqual([]);
      expect(t.logLines.filter((line) => line.includes(value))).toEqual([]);
    }
    // The searches do find what they look for: the log has the lines this test wrote, redacted.
    expect(t.logLines.some((line) => line.includes('"resolved credentials"') && line.includes('[redacted]'))).toBe(true);
    expect(t.logLines.some((line) => line.includes('oauth2 token refreshed'))).toBe(true);
    expect(t.logLines.some((line) => line.includes('oauth2 refresh failed'))).toBe(true);
  });
});
