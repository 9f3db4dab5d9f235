import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '../common/errors.js';
import { loginUrl, newPkce, newState, oauthProvider, requestToken, s256, tokenFields, type OAuthProvider } from './oauth2.client.js';

const config = (oauth2: Record<string, unknown>) => ({ integrations: { github: {}, openai: {}, anthropic: {}, oauth2 } }) as never;

describe('PKCE and state', () => {
  it('computes S256 as RFC 7636 appendix B does', () => {
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers and states, each new', () => {
    const a = newPkce();
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.challenge).toBe(s256(a.verifier));
    expect(newPkce().verifier).not.toBe(a.verifier);
    expect(newState()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('oauthProvider', () => {
  it('reads a provider, splitting scopes given as text', () => {
    expect(
      oauthProvider(
        config({
          gh: { authorize_url: 'https://a.example/authorize', token_url: 'https://a.example/token', client_id: 'c', client_secret: 's', scopes: 'repo, gist' },
        }),
        'gh',
      ),
    ).toEqual({
      name: 'gh',
      authorizeUrl: 'https://a.example/authorize',
      tokenUrl: 'https://a.example/token',
      clientId: 'c',
      clientSecret: 's',
      scopes: ['repo', 'gist'],
    });
  });

  it('is 404 for an unknown provider (inherited keys included), listing the configured ones', () => {
    for (const name of ['nope', 'constructor', 'toString']) {
      try {
        oauthProvider(config({ b: {}, a: {} }), name);
        throw new Error('expected a 404');
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).status).toBe(404);
        expect((error as AppError).message).toContain('Configured providers: a, b.');
      }
    }
    expect(() => oauthProvider(config({}), 'x')).toThrow('No OAuth2 provider "x". No OAuth2 provider is configured.');
  });

  it('says every misconfiguration at once', () => {
    expect(() => oauthProvider(config({ p: { authorize_url: 'ftp://x', token_url: 7, client_secret: 1, scopes: [1], redirect_uri: 'nope' } }), 'p')).toThrow(
      'integrations.oauth2.p): authorize_url must be an http(s) URL; token_url must be an http(s) URL; redirect_uri must be an http(s) URL; client_id is required; client_secret must be text; scopes must be a list of scope names.',
    );
  });
});

describe('loginUrl and tokenFields', () => {
  const provider: OAuthProvider = {
    name: 'p',
    authorizeUrl: 'https://id.example/auth?prompt=consent',
    tokenUrl: 'https://id.example/token',
    clientId: 'cid',
    scopes: ['a', 'b'],
  };

  it("keeps the authorize URL's own query and adds the code flow parameters", () => {
    const url = new URL(loginUrl(provider, { state: 'st', challenge: 'ch', redirectUri: 'https://me.example/cb' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prompt: 'consent',
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'https://me.example/cb',
      scope: 'a b',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('turns a token answer into fields, keeping the previous refresh token and scopes when the answer has none', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(tokenFields({ access_token: 'a2', expires_in: 60 }, now, { access_token: 'a1', refresh_token: 'r1', scopes: 'repo' })).toEqual({
      access_token: 'a2',
      refresh_token: 'r1',
      expires_at: '2030-01-01T00:01:00.000Z',
      scopes: 'repo',
    });
    expect(tokenFields({ access_token: 'a', refresh_token: 'r2', scope: 'x,y' }, now)).toEqual({ access_token: 'a', refresh_token: 'r2', scopes: 'x y' });
  });
});

describe('requestToken against a local token endpoint', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(`${req.headers['content-type']} ${body}`);
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const provider = (): OAuthProvider => ({
    name: 'p',
    authorizeUrl: `${base}/a`,
    tokenUrl: `${base}/token`,
    clientId: 'cid',
    clientSecret: 'csecret',
    scopes: [],
  });

  it('posts a form with the client credentials and reads a JSON answer', async () => {
    answer = {
      status: 200,
      type: 'application/json',
      body: JSON.stringify({ access_token: 'at', refresh_token: 'rt', expires_in: '3600', scope: 'repo', token_type: 'bearer' }),
    };
    await expect(requestToken(provider(), { grant_type: 'refresh_token', refresh_token: 'r0' }, 'The refresh')).resolves.toEqual({
      access_token: 'at',
      refresh_token: 'rt',
      expires_in: 3600,
      scope: 'repo',
    });
    expect(received.at(-1)).toBe('application/x-www-form-urlencoded grant_type=refresh_token&refresh_token=r0&client_id=cid&client_secret=csecret');
  });

  it('reads a form-encoded answer (GitHub without Accept)', async () => {
    answer = { status: 200, type: 'application/x-www-form-urlencoded', body: 'access_token=gho_1&scope=repo&token_type=bearer' };
    await expect(requestToken(provider(), { grant_type: 'authorization_code', code: 'c' }, 'x')).resolves.toEqual({ access_token: 'gho_1', scope: 'repo' });
  });

  it('answers 400 for an OAuth2 error, scrubbing anything we sent from the description', async () => {
    answer = {
      status: 400,
      type: 'application/json',
      body: JSON.stringify({ error: 'invalid_grant', error_description: 'refresh token r-secret-1 expired; client csecret' }),
    };
    const error = (await requestToken(provider(), { grant_type: 'refresh_token', refresh_token: 'r-secret-1' }, 'The refresh').catch(
      (e: unknown) => e,
    )) as AppError;
    expect(error.status).toBe(400);
    expect(error.details).toEqual({ provider: 'p', provider_error: 'invalid_grant' });
    expect(error.message).toBe(
      'The refresh at p\'s token endpoint failed: the provider refused it with "invalid_grant" (refresh token [redacted] expired; client [redacted]). The grant is no longer valid: sign in again with POST /api/integrations/p/login.',
    );
  });

  it.each([
    [{ status: 500, type: 'text/plain', body: 'oops' }, 'the provider answered HTTP 500'],
    [{ status: 200, type: 'text/html', body: '<html>' }, 'the answer has no access_token'],
    [{ status: 200, type: 'application/json', body: '{"token_type":"bearer"}' }, 'the answer has no access_token'],
  ])('answers 502 for a broken endpoint (%j)', async (broken, message) => {
    answer = broken;
    const error = (await requestToken(provider(), { grant_type: 'refresh_token', refresh_token: 'r' }, 'x').catch((e: unknown) => e)) as AppError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('OAUTH2_TOKEN_FAILED');
    expect(error.message).toContain(message);
  });
});
