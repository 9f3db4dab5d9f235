// A local OAuth2 provider speaking the real protocol (RFC 6749 + PKCE RFC 7636) over node:http:
// GET /authorize approves at once and redirects back with a code bound to the PKCE challenge;
// POST /token checks the form body, the client credentials, the grant type, the redirect URI and the
// code_verifier against the challenge, and counts refreshes. Tokens carry a marker so leak searches find them.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /** Put into every token, so a leak search can find them. */
  marker: string;
  /** Seconds each access token lives (default 3600). */
  expiresIn?: number;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  used: boolean;
}

export interface TokenRequestRecord {
  grantType: string;
  ok: boolean;
  error?: string;
}

export class OAuthTestServer {
  readonly url: string;
  /** Successful and refused token requests, in order. */
  readonly tokenRequests: TokenRequestRecord[] = [];
  /** Every code_verifier and code we were sent, for leak searches. */
  readonly seenVerifiers: string[] = [];
  readonly issuedCodes: string[] = [];
  readonly issuedTokens: string[] = [];
  /** Refresh requests received (counted on arrival, before any gate). */
  refreshArrivals = 0;
  /** What the next refreshes answer: tokens (default), or an OAuth2 error. */
  refreshMode: 'ok' | 'invalid_grant' | 'server_error' = 'ok';
  /** When set, refresh answers wait until it resolves (lets concurrent callers pile up). */
  refreshGate: Promise<void> | null = null;
  expiresIn: number;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Set<string>();
  private counter = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: OAuthServerOptions,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.expiresIn = options.expiresIn ?? 3600;
  }

  static async start(options: OAuthServerOptions): Promise<OAuthTestServer> {
    let instance: OAuthTestServer | null = null;
    const server = createServer((req, res) => {
      instance!.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instance = new OAuthTestServer(server, options);
    return instance;
  }

  get refreshCalls(): number {
    return this.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
  }

  /** A refresh token the server knows, for credentials made directly through the API. */
  mintRefreshToken(): string {
    const token = `rt-${++this.counter}-${this.options.marker}-${randomBytes(6).toString('hex')}`;
    this.refreshTokens.add(token);
    this.issuedTokens.push(token);
    return token;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') return this.token(req, res);
    res.statusCode = 404;
    res.end();
  }

  private authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const problems: string[] = [];
    if (q.get('response_type') !== 'code') problems.push('response_type must be code');
    if (q.get('client_id') !== this.options.clientId) problems.push('unknown client_id');
    if (q.get('code_challenge_method') !== 'S256') problems.push('code_challenge_method must be S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '')) problems.push('code_challenge must be a base64url SHA-256');
    if (!q.get('state')) problems.push('state is required');
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) problems.push('redirect_uri is required');
    if (problems.length) {
      res.statusCode = 400;
      res.end(problems.join('; '));
      return;
    }
    const code = `code-${++this.counter}-${randomBytes(8).toString('hex')}`;
    this.codes.set(code, {
      clientId: q.get('client_id')!,
      redirectUri: redirectUri!,
      challenge: q.get('code_challenge')!,
      scope: q.get('scope') ?? '',
      used: false,
    });
    this.issuedCodes.push(code);
    const back = new URL(redirectUri!);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state')!);
    res.statusCode = 302;
    res.setHeader('location', back.toString());
    res.end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const grantType = form.get('grant_type') ?? '';
    const refuse = (status: number, error: string, description: string) => {
      this.tokenRequests.push({ grantType, ok: false, error });
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error, error_description: description }));
    };
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return refuse(400, 'invalid_request', 'the body must be form-encoded');
    if (form.get('client_id') !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) {
      return refuse(401, 'invalid_client', 'client authentication failed');
    }
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      this.seenVerifiers.push(verifier);
      if (!code || code.used) return refuse(400, 'invalid_grant', 'unknown or used code');
      code.used = true;
      if (form.get('redirect_uri') !== code.redirectUri) return refuse(400, 'invalid_grant', 'redirect_uri does not match');
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return refuse(400, 'invalid_grant', 'PKCE verification failed');
      return this.issue(res, grantType, code.scope, true);
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      this.refreshArrivals++;
      if (this.refreshGate) await this.refreshGate;
      // A careless provider that echoes the token: our errors must still never show it.
      if (this.refreshMode === 'invalid_grant' || !this.refreshTokens.has(token)) return refuse(400, 'invalid_grant', `refresh token ${token} was revoked`);
      if (this.refreshMode === 'server_error') return refuse(503, 'temporarily_unavailable', `try later (${token})`);
      return this.issue(res, grantType, 'repo read:user', false);
    }
    return refuse(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }

  private issue(res: ServerResponse, grantType: string, scope: string, withRefresh: boolean): void {
    this.tokenRequests.push({ grantType, ok: true });
    const accessToken = `at-${++this.counter}-${this.options.marker}`;
    this.issuedTokens.push(accessToken);
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'bearer', expires_in: this.expiresIn, scope };
    if (withRefresh) body.refresh_token = this.mintRefreshToken();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  }
}
