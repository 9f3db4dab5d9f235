// Keeps OAuth2 access tokens fresh: a token that expires within the margin is refreshed before use,
// exactly once however many nodes need it at the same moment. In a process, concurrent callers share one
// promise; across processes, a conditional UPDATE hands a short lease to one of them (the others poll the
// row until its version moves), and the refreshed secret is written only over the version it replaced.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import type { CredentialEntity } from './credential.entity.js';
import { metadataOf, type SecretFields } from './credential-types.js';
import { CredentialsRepository } from './credentials.repository.js';
import { CryptoService } from './crypto.service.js';
import { requestToken, tokenFields } from './oauth2.client.js';
import { OAuthProviders } from './oauth2-providers.service.js';

/** Refresh when the token has less than this left. */
export const REFRESH_MARGIN_MS = 60_000;
/** How long one process may hold the right to refresh (longer than the token request's own timeout). */
const REFRESH_LEASE_MS = 30_000;
const POLL_START_MS = 25;
const POLL_MAX_MS = 250;

export interface OpenedCredential {
  entity: CredentialEntity;
  fields: SecretFields;
}

/** A refresh could not give a usable token; `message` is safe to show (names and provider codes only). */
export class RefreshFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefreshFailedError';
  }
}

export function needsRefresh(fields: SecretFields, now: number, marginMs = REFRESH_MARGIN_MS): boolean {
  if (!fields.expires_at) return false;
  const expires = Date.parse(fields.expires_at);
  return Number.isFinite(expires) && expires - now <= marginMs;
}

@Injectable()
export class OAuthRefresher {
  private readonly inFlight = new Map<string, Promise<OpenedCredential>>();
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly crypto: CryptoService,
    private readonly providers: OAuthProviders,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  /** The credential with a token good for at least the margin; refreshes it first when needed. */
  async fresh(opened: OpenedCredential): Promise<OpenedCredential> {
    if (opened.entity.type !== 'oauth2' || !needsRefresh(opened.fields, Date.now())) return opened;
    return this.coalesced(opened.entity.id, () => this.refreshOnce(opened, (fields) => needsRefresh(fields, Date.now())));
  }

  /**
   * After an API answered 401 to `rejected`: the stored token when it is already another one (someone
   * refreshed), else a refresh, once however many callers ask (the same coalescing and lease as `fresh`).
   */
  async refreshRejected(opened: OpenedCredential, rejected: string): Promise<OpenedCredential> {
    if (opened.entity.type !== 'oauth2') return opened;
    return this.coalesced(opened.entity.id, () => this.refreshOnce(opened, (fields) => fields.access_token === rejected));
  }

  private coalesced(id: string, refresh: () => Promise<OpenedCredential>): Promise<OpenedCredential> {
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = refresh().finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private async refreshOnce(first: OpenedCredential, stale: (fields: SecretFields) => boolean): Promise<OpenedCredential> {
    const deadline = Date.now() + REFRESH_LEASE_MS * 2;
    let current = first;
    let pause = POLL_START_MS;
    for (;;) {
      const { entity, fields } = current;
      if (!stale(fields)) return current;
      if (!fields.refresh_token) {
        if (fields.expires_at && Date.parse(fields.expires_at) > Date.now() && needsRefresh(fields, Date.now())) return current;
        throw new RefreshFailedError(
          `${fields.expires_at ? `expired at ${fields.expires_at}` : 'was rejected'} and has no refresh token. Sign in again with POST /api/integrations/${entity.provider}/login {"name": "${entity.name}"}.`,
        );
      }
      if (await this.credentials.claimRefresh(entity.id, entity.version, REFRESH_LEASE_MS)) {
        const refreshed = await this.refreshClaimed(entity, fields);
        if (refreshed) return refreshed;
      } else {
        if (Date.now() > deadline) {
          throw new RefreshFailedError('is being refreshed by another process that has not finished. Try again in a minute.');
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(POLL_MAX_MS, pause * 2);
      }
      current = await this.reread(entity);
    }
  }

  /** Calls the token endpoint while holding the lease; null when the row moved on meanwhile (reread and retry). */
  private async refreshClaimed(entity: CredentialEntity, fields: SecretFields): Promise<OpenedCredential | null> {
    let next: SecretFields;
    try {
      const provider = this.providers.get(entity.provider);
      const answer = await requestToken(provider, { grant_type: 'refresh_token', refresh_token: fields.refresh_token! }, 'The refresh');
      next = tokenFields(answer, new Date(), fields);
    } catch (error) {
      await this.credentials.releaseRefresh(entity.id, entity.version).catch(() => undefined);
      const reason = error instanceof Error ? error.message : 'the refresh failed';
      this.logger.warn(
        { credential: entity.name, credential_id: entity.id, provider: entity.provider, code: (error as { code?: string }).code },
        'oauth2 refresh failed',
      );
      throw new RefreshFailedError(`could not be refreshed: ${reason}`);
    }
    const sealed = this.crypto.sealFields(next, entity.user_id, entity.name);
    const saved = await this.credentials.finishRefresh(entity.id, entity.version, {
      ciphertext: sealed.ciphertext,
      key_id: sealed.keyId,
      metadata: metadataOf('oauth2', next),
    });
    if (!saved) return null;
    this.logger.info(
      { credential: entity.name, credential_id: entity.id, provider: entity.provider, version: saved.version, expires_at: next.expires_at },
      'oauth2 token refreshed',
    );
    return { entity: saved, fields: next };
  }

  /** The credential as stored now (decrypted). */
  async reread(entity: CredentialEntity): Promise<OpenedCredential> {
    const row = await this.credentials.findById(entity.id);
    if (!row) throw new RefreshFailedError('was deleted while its token was being refreshed.');
    return { entity: row, fields: this.crypto.openFields(row.ciphertext, row.user_id, row.name) };
  }
}
