// Who GitOps is on GitHub: a token (GITHUB_TOKEN, the simple option), or a GitHub App (gitops.app_id and
// gitops.app_private_key: a JWT signed with the app's key buys an installation token, cached and minted
// again shortly before it expires, with @octokit/auth-app). Also answers the login our comments are written
// under, so a comment is recognised by its marker AND its author.
import { readFileSync } from 'node:fs';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';

export type GitopsAuthKind = 'token' | 'app';

export interface GitopsAuth {
  readonly kind: GitopsAuthKind;
  /** An Octokit that authenticates as the token, or as the app's installation (token refreshed before expiry). */
  octokit(): Promise<Octokit>;
  /** The login GitHub shows as the author of what we write (`<app slug>[bot]` for an app). */
  author(): Promise<string>;
}

export interface AppCredentials {
  appId: string;
  /** PEM text (literal newlines or `\n`), or the path of a PEM file. */
  privateKey: string;
  /** The installation on the agents repository; looked up from the repository when absent. */
  installationId?: string | undefined;
}

/** An installation token is minted again when it has less than this left (GitHub's last for an hour). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A GitHub request that takes longer is abandoned (feedback holds a pull request's lock meanwhile). */
export const GITHUB_REQUEST_TIMEOUT_MS = 60_000;

/** fetch with a deadline: Octokit sets none of its own. */
const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(GITHUB_REQUEST_TIMEOUT_MS) });

function octokitOptions(baseUrl: string) {
  return { baseUrl: baseUrl.replace(/\/+$/, ''), userAgent: 'trellis-gitops', log: SILENT, request: { fetch: fetchWithTimeout } };
}

export class TokenAuth implements GitopsAuth {
  readonly kind = 'token';
  private readonly client: Octokit;
  private login: Promise<string> | null = null;

  constructor(token: string, baseUrl: string) {
    this.client = new Octokit({ ...octokitOptions(baseUrl), auth: token });
  }

  octokit(): Promise<Octokit> {
    return Promise.resolve(this.client);
  }

  author(): Promise<string> {
    this.login ??= this.client.rest.users.getAuthenticated().then(
      ({ data }) => data.login,
      (error: unknown) => {
        this.login = null;
        throw error;
      },
    );
    return this.login;
  }
}

/** The PEM text of a configured key: literal, `\n`-escaped (as environment variables carry it), or a file path. */
export function readPrivateKey(configured: string): string {
  const value = configured.trim();
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new Error(
      `gitops.app_private_key is neither a PEM key nor a readable file (${(error as Error).message}); give the app's private key (.pem) or its path`,
      { cause: error },
    );
  }
}

/**
 * Installation tokens as @octokit/auth-app caches them ("token|createdAt|expiresAt|..."), answered only while
 * they have more than TOKEN_REFRESH_MARGIN_MS left, so a long request never starts on a token about to lapse.
 */
export class ExpiringTokenCache {
  private readonly values = new Map<string, string>();
  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const value = this.values.get(key);
    const expiresAt = Date.parse(value?.split('|')[2] ?? '');
    if (!value || !(expiresAt - this.now() > TOKEN_REFRESH_MARGIN_MS)) return undefined;
    return value;
  }

  set(key: string, value: string): void {
    this.values.set(key, value);
  }
}

export class AppAuth implements GitopsAuth {
  readonly kind = 'app';
  private client: Promise<Octokit> | null = null;
  private login: Promise<string> | null = null;
  private readonly cache: ExpiringTokenCache;
  private readonly privateKey: string;

  constructor(
    private readonly app: AppCredentials,
    private readonly baseUrl: string,
    private readonly repository: { owner: string; repo: string },
    now: () => number = Date.now,
  ) {
    this.cache = new ExpiringTokenCache(now);
    this.privateKey = readPrivateKey(app.privateKey);
  }

  /** Authenticated as the app itself (a JWT per request): for /app routes. */
  private asApp(): Octokit {
    return new Octokit({ ...octokitOptions(this.baseUrl), authStrategy: createAppAuth, auth: { appId: this.app.appId, privateKey: this.privateKey } });
  }

  octokit(): Promise<Octokit> {
    this.client ??= (async () => {
      const installationId = this.app.installationId ?? String((await this.asApp().rest.apps.getRepoInstallation(this.repository)).data.id);
      return new Octokit({
        ...octokitOptions(this.baseUrl),
        authStrategy: createAppAuth,
        auth: { appId: this.app.appId, privateKey: this.privateKey, installationId, cache: this.cache },
      });
    })().catch((error: unknown) => {
      this.client = null;
      throw error;
    });
    return this.client;
  }

  author(): Promise<string> {
    this.login ??= this.asApp()
      .rest.apps.getAuthenticated()
      .then(
        ({ data }) => `${data?.slug ?? ''}[bot]`,
        (error: unknown) => {
          this.login = null;
          throw error;
        },
      );
    return this.login;
  }
}
