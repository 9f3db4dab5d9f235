// The OAuth2 wire protocol (RFC 6749, PKCE RFC 7636): provider settings from config, the authorize URL,
// and token requests (form-encoded, client_secret_post). Errors name the provider and its error code,
// never a token, a code or a verifier.
import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig, OAuth2ProviderConfig } from '../config/config.schema.js';
import type { SecretFields } from './credential-types.js';
import { providerMisconfigured, tokenFailed, unknownProvider } from './credentials.errors.js';

export interface OAuthProvider {
  name: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  /** Optional: the callback URL to register with the provider, when the server sits behind a proxy that hides it. */
  redirectUri?: string;
}

const TOKEN_TIMEOUT_MS = 15_000;
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

export function configuredProviders(config: Pick<AppConfig, 'integrations'>): string[] {
  return Object.keys(config.integrations.oauth2 ?? {}).sort();
}

/** The provider's settings, checked; 404 listing the configured ones when unknown. */
export function oauthProvider(config: Pick<AppConfig, 'integrations'>, name: string): OAuthProvider {
  const all = config.integrations.oauth2 ?? {};
  const raw = Object.hasOwn(all, name) ? (all[name] as (Partial<OAuth2ProviderConfig> & { redirect_uri?: unknown }) | undefined) : undefined;
  if (!raw || typeof raw !== 'object') throw unknownProvider(name, configuredProviders(config));
  const problems: string[] = [];
  const url = (key: 'authorize_url' | 'token_url' | 'redirect_uri', required: boolean): string | undefined => {
    const value = raw[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !isHttpUrl(value)) {
      problems.push(`${key} must be an http(s) URL`);
      return undefined;
    }
    return value;
  };
  const authorizeUrl = url('authorize_url', true);
  const tokenUrl = url('token_url', true);
  const redirectUri = url('redirect_uri', false);
  if (typeof raw.client_id !== 'string' || !raw.client_id) problems.push('client_id is required');
  if (raw.client_secret !== undefined && typeof raw.client_secret !== 'string') problems.push('client_secret must be text');
  const scopes = typeof raw.scopes === 'string' ? (raw.scopes as string).split(/[\s,]+/).filter(Boolean) : (raw.scopes ?? []);
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) problems.push('scopes must be a list of scope names');
  if (problems.length) throw providerMisconfigured(name, problems);
  return {
    name,
    authorizeUrl: authorizeUrl!,
    tokenUrl: tokenUrl!,
    clientId: raw.client_id as string,
    ...(raw.client_secret ? { clientSecret: raw.client_secret } : {}),
    scopes: scopes as string[],
    ...(redirectUri ? { redirectUri } : {}),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** A 43-character verifier (32 random bytes) and its S256 challenge. */
export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function newState(): string {
  return randomBytes(32).toString('base64url');
}

export function loginUrl(provider: OAuthProvider, params: { state: string; challenge: string; redirectUri: string }): string {
  const url = new URL(provider.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  if (provider.scopes.length) url.searchParams.set('scope', provider.scopes.join(' '));
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

/**
 * POSTs a grant to the token endpoint. `what` names the request in errors ("Exchanging the sign-in code").
 * A refused grant is a 400 (with the provider's error code); an unreachable or broken endpoint a 502.
 */
export async function requestToken(provider: OAuthProvider, grant: Record<string, string>, what: string): Promise<TokenAnswer> {
  const body = new URLSearchParams({ ...grant, client_id: provider.clientId, ...(provider.clientSecret ? { client_secret: provider.clientSecret } : {}) });
  let response: Response;
  try {
    response = await fetch(provider.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${TOKEN_TIMEOUT_MS / 1000} s` : `it could not be reached (${causeOf(error)})`;
    throw tokenFailed(provider.name, what, `${reason}. Check integrations.oauth2.${provider.name}.token_url, then try again.`, 502);
  }
  const text = await readLimited(response);
  const answer = parseAnswer(text, response.headers.get('content-type'));
  if (!response.ok || typeof answer?.error === 'string') {
    const code = typeof answer?.error === 'string' ? answer.error.slice(0, 100) : undefined;
    if (code && response.status < 500) {
      const description =
        typeof answer?.error_description === 'string'
          ? ` (${scrub(answer.error_description.slice(0, 300), [
              ...Object.entries(grant)
                .filter(([key]) => key !== 'grant_type')
                .map(([, value]) => value),
              provider.clientSecret,
            ])})`
          : '';
      throw tokenFailed(provider.name, what, `the provider refused it with "${code}"${description}. ${adviceFor(code, provider.name)}`, 400, code);
    }
    throw tokenFailed(
      provider.name,
      what,
      `the provider answered HTTP ${response.status}. Try again later; if it persists, check integrations.oauth2.${provider.name}.`,
      502,
    );
  }
  if (!answer || typeof answer.access_token !== 'string' || !answer.access_token) {
    throw tokenFailed(provider.name, what, "the answer has no access_token. Check that token_url is the provider's OAuth2 token endpoint.", 502);
  }
  const expiresIn = Number(answer.expires_in);
  return {
    access_token: answer.access_token,
    ...(typeof answer.refresh_token === 'string' && answer.refresh_token ? { refresh_token: answer.refresh_token } : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expires_in: expiresIn } : {}),
    ...(typeof answer.scope === 'string' ? { scope: answer.scope } : {}),
  };
}

/** The oauth2 secret fields after a token answer; a refresh that omits refresh_token or scope keeps the previous ones. */
export function tokenFields(answer: TokenAnswer, now: Date, previous: SecretFields = {}): SecretFields {
  const fields: SecretFields = { access_token: answer.access_token };
  const refresh = answer.refresh_token ?? previous.refresh_token;
  if (refresh) fields.refresh_token = refresh;
  if (answer.expires_in !== undefined) fields.expires_at = new Date(now.getTime() + answer.expires_in * 1000).toISOString();
  const scopes =
    answer.scope !== undefined
      ? answer.scope
          .split(/[\s,]+/)
          .filter(Boolean)
          .join(' ')
      : previous.scopes;
  if (scopes) fields.scopes = scopes;
  return fields;
}

function adviceFor(code: string, provider: string): string {
  if (code === 'invalid_grant') return `The grant is no longer valid: sign in again with POST /api/integrations/${provider}/login.`;
  if (code === 'invalid_client' || code === 'unauthorized_client')
    return `The client credentials were refused: an admin must check integrations.oauth2.${provider}.client_id and client_secret.`;
  return `Sign in again with POST /api/integrations/${provider}/login; if it persists, an admin must check integrations.oauth2.${provider}.`;
}

async function readLimited(response: Response): Promise<string> {
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_TOKEN_ANSWER_BYTES) {
    await response.body?.cancel();
    return '';
  }
  const text = await response.text();
  return text.length > MAX_TOKEN_ANSWER_BYTES ? '' : text;
}

/** JSON (most providers) or form-encoded (GitHub without Accept). */
function parseAnswer(text: string, contentType: string | null): Record<string, unknown> | null {
  if (!text) return null;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A provider's text may echo what we sent: no grant value or client secret is ever repeated. */
function scrub(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.replaceAll(secret, '[redacted]');
  return out;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
