// A user's stored credentials: create (encrypted), list (metadata), replace the secret, delete. Each
// belongs to one user; another user's name, and an operator credential the user may not use, are as
// absent as a missing one.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import type { CredentialEntity } from './credential.entity.js';
import { metadataOf, type CheckedSecrets, type SecretFields } from './credential-types.js';
import { credentialExists, credentialInConfig, credentialNotFound, credentialTypeMismatch } from './credentials.errors.js';
import { CredentialExistsError, CredentialsRepository, type SealedSecret } from './credentials.repository.js';
import { parseReplaceCredential, type CreateCredentialInput } from './credentials.dto.js';
import { CredentialsResolver } from './credentials.resolver.js';
import { CryptoService } from './crypto.service.js';

@Injectable()
export class CredentialsService {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly crypto: CryptoService,
    private readonly resolver: CredentialsResolver,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  list(userId: string): Promise<CredentialEntity[]> {
    return this.credentials.listForUser(userId);
  }

  async get(userId: string, name: string): Promise<CredentialEntity> {
    const found = await this.credentials.findForUser(userId, name);
    if (!found) throw credentialNotFound(name);
    return found;
  }

  async create(userId: string, input: CreateCredentialInput): Promise<CredentialEntity> {
    await this.refuseConfigName(userId, input.name);
    const sealed = this.seal(input.secrets, userId, input.name);
    try {
      const created = await this.credentials.insert({
        user_id: userId,
        name: input.name,
        provider: input.provider,
        type: input.type,
        ...sealed,
        hosts: input.hosts,
      });
      this.logger.info({ user_id: userId, credential: input.name, provider: input.provider, credential_type: input.type }, 'credential created');
      return created;
    } catch (error) {
      if (error instanceof CredentialExistsError) throw credentialExists(input.name);
      throw error;
    }
  }

  /** Replaces every secret field (the body is checked against the credential's own type). */
  async replace(userId: string, name: string, body: unknown): Promise<CredentialEntity> {
    const existing = await this.get(userId, name);
    const { secrets, hosts } = parseReplaceCredential(body, existing.type);
    const replaced = await this.credentials.replaceSecret(userId, name, this.seal(secrets, userId, name), hosts);
    if (!replaced) throw credentialNotFound(name);
    this.logger.info({ user_id: userId, credential: name, version: replaced.version }, 'credential secret replaced');
    return replaced;
  }

  async delete(userId: string, name: string): Promise<void> {
    if (!(await this.credentials.deleteForUser(userId, name))) throw credentialNotFound(name);
    this.logger.info({ user_id: userId, credential: name }, 'credential deleted');
  }

  /** The 409s a name can meet before an OAuth2 flow even starts: a config name, or a credential of another type or provider. */
  async checkOAuthName(userId: string, name: string, provider: string): Promise<void> {
    await this.refuseConfigName(userId, name);
    const existing = await this.credentials.findForUser(userId, name);
    if (existing && (existing.type !== 'oauth2' || existing.provider !== provider)) {
      throw credentialTypeMismatch(name, `${existing.type} (${existing.provider})`, `oauth2 (${provider})`);
    }
  }

  /** Stores what an OAuth2 flow obtained: a new oauth2 credential, or a new secret of the existing one. */
  async saveOAuth(userId: string, name: string, provider: string, fields: SecretFields): Promise<CredentialEntity> {
    await this.checkOAuthName(userId, name, provider);
    const sealed = this.seal({ fields, metadata: metadataOf('oauth2', fields) }, userId, name);
    const replaced = await this.credentials.replaceSecret(userId, name, sealed);
    if (replaced) return replaced;
    try {
      return await this.credentials.insert({
        user_id: userId,
        name,
        provider,
        type: 'oauth2',
        ciphertext: sealed.ciphertext,
        key_id: sealed.key_id,
        metadata: sealed.metadata,
      });
    } catch (error) {
      // Two callbacks for one name at once: the later one replaces the earlier.
      if (!(error instanceof CredentialExistsError)) throw error;
      const again = await this.credentials.replaceSecret(userId, name, sealed);
      if (!again) throw error;
      return again;
    }
  }

  private seal(secrets: CheckedSecrets, userId: string, name: string): SealedSecret {
    const sealed = this.crypto.sealFields(secrets.fields, userId, name);
    return { ciphertext: sealed.ciphertext, key_id: sealed.keyId, metadata: secrets.metadata };
  }

  /** 409 only for an operator credential this user may use: another one's name must not show that it exists. */
  private async refuseConfigName(userId: string, name: string): Promise<void> {
    if (await this.resolver.operatorNameUsable(userId, name)) throw credentialInConfig(name);
  }
}
