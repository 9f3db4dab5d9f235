// The OAuth2 authorization-code flow with PKCE (S256): login makes a single-use `state` bound to the
// user and the credential name (the verifier stored encrypted, with an expiry); the callback consumes
// the state, exchanges the code at the token endpoint and stores the oauth2 credential.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import type { CredentialEntity } from './credential.entity.js';
import { authorizationDenied, invalidState } from './credentials.errors.js';
import { CredentialsService } from './credentials.service.js';
import { CryptoService } from './crypto.service.js';
import { DecryptError } from './encryption.js';
import { loginUrl, newPkce, newState, requestToken, tokenFields } from './oauth2.client.js';
import { OAuthProviders } from './oauth2-providers.service.js';
import { OAuthStatesRepository } from './oauth-states.repository.js';

/** How long a started sign-in may take. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export interface LoginAnswer {
  login_url: string;
  expires_at: string;
}

@Injectable()
export class OAuthService {
  constructor(
    private readonly states: OAuthStatesRepository,
    private readonly credentials: CredentialsService,
    private readonly crypto: CryptoService,
    private readonly providers: OAuthProviders,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  /** `baseUrl` is how the browser reaches this server (scheme and host), for the callback URL. */
  async login(userId: string, providerName: string, name: string, baseUrl: string): Promise<LoginAnswer> {
    const provider = this.providers.get(providerName);
    await this.credentials.checkOAuthName(userId, name, provider.name);
    const now = new Date();
    await this.states.deleteExpired(now);
    const state = newState();
    const pkce = newPkce();
    const redirectUri = provider.redirectUri ?? `${baseUrl}/api/integrations/${encodeURIComponent(provider.name)}/callback`;
    const sealed = this.crypto.sealVerifier(pkce.verifier, state);
    const expiresAt = new Date(now.getTime() + OAUTH_STATE_TTL_MS);
    await this.states.insert({
      state,
      user_id: userId,
      provider: provider.name,
      name,
      code_verifier: sealed.ciphertext,
      key_id: sealed.keyId,
      redirect_uri: redirectUri,
      expires_at: expiresAt,
    });
    this.logger.info({ user_id: userId, provider: provider.name, credential: name }, 'oauth2 sign-in started');
    return { login_url: loginUrl(provider, { state, challenge: pkce.challenge, redirectUri }), expires_at: expiresAt.toISOString() };
  }

  /** Completes the flow. The state alone authorises it (the browser arrives without our credentials). */
  async callback(providerName: string, query: CallbackQuery): Promise<CredentialEntity> {
    const provider = this.providers.get(providerName);
    if (!query.state) throw invalidState(`The callback has no "state" parameter, so it cannot be matched to a sign-in.`);
    const flow = await this.states.consume(query.state);
    if (!flow) throw invalidState('This sign-in is unknown or was already completed (a state works once).');
    if (flow.provider !== provider.name) throw invalidState(`This sign-in was started for provider "${flow.provider}", not "${provider.name}".`);
    if (flow.expires_at.getTime() <= Date.now()) {
      throw invalidState(`This sign-in expired at ${flow.expires_at.toISOString()} (a sign-in must finish within ${OAUTH_STATE_TTL_MS / 60_000} minutes).`);
    }
    if (query.error) throw authorizationDenied(provider.name, query.error.slice(0, 100), query.error_description?.slice(0, 300));
    if (!query.code) throw invalidState(`The callback has no "code" parameter.`);
    const verifier = this.openVerifier(flow.code_verifier, flow.state);
    const answer = await requestToken(
      provider,
      { grant_type: 'authorization_code', code: query.code, redirect_uri: flow.redirect_uri, code_verifier: verifier },
      'Exchanging the sign-in code',
    );
    const saved = await this.credentials.saveOAuth(flow.user_id, flow.name, provider.name, tokenFields(answer, new Date()));
    this.logger.info({ user_id: flow.user_id, provider: provider.name, credential: flow.name, version: saved.version }, 'oauth2 credential stored');
    return saved;
  }

  private openVerifier(ciphertext: string, state: string): string {
    try {
      return this.crypto.openVerifier(ciphertext, state);
    } catch (error) {
      if (error instanceof DecryptError) throw invalidState("This sign-in can no longer be read: the server's encryption key changed since it started.");
      throw error;
    }
  }
}
