// API keys: made and shown once, stored as hashes, checked on every request (with a short cache), revoked.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { validationFailed } from '../common/errors.js';
import { COMPONENT_LOGGER } from '../common/logger.js';
import type { UserEntity } from '../users/user.entity.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key.format.js';
import { ApiKeyUsage } from './api-key-usage.js';
import { ApiKeysRepository, type ApiKeyWithUser } from './api-keys.repository.js';
import { apiKeyNotFound, expiredApiKey, malformedApiKey, revokedApiKey, roleScopesNotGrantable, scopesNotGrantable, unknownApiKey } from './auth.errors.js';
import { scopesOfRole, type Principal, type Scope } from './principal.js';

/** How long a verified key is trusted without asking the database again (a revocation made by another process takes at most this long). */
const VERIFIED_KEY_TTL_MS = 5_000;
const MAX_CACHED_KEYS = 10_000;
/** How often pending `last_used_at` values are written. */
const USAGE_FLUSH_INTERVAL_MS = 15_000;

export interface CreateKeyInput {
  name: string;
  scopes?: string[];
  expires_at?: string | Date | null;
}

export interface CreatedKey {
  entity: ApiKeyEntity;
  /** The secret, shown once. */
  key: string;
}

@Injectable()
export class ApiKeysService implements OnModuleDestroy {
  private readonly verified = new Map<string, { found: ApiKeyWithUser; until: number }>();
  private readonly usage = new ApiKeyUsage();
  private readonly flushTimer: NodeJS.Timeout;
  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {
    this.flushTimer = setInterval(() => void this.flushUsage(), USAGE_FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
  }

  /**
   * Makes a key for `user`. `grantor` is who asks: a key may carry only scopes the grantor has (403 otherwise).
   * Without `scopes`, the key gets, now, every scope the user's role allows; a grantor lacking some of them
   * must list the scopes it wants (403 naming the ones it lacks), never a key silently narrower than asked.
   */
  async create(user: UserEntity, input: CreateKeyInput, grantor: Pick<Principal, 'scopes'> | null, manager?: EntityManager): Promise<CreatedKey> {
    const roleScopes = scopesOfRole(user.role);
    const scopes = input.scopes ? inCanonicalOrder(input.scopes as Scope[]) : roleScopes;
    const beyondRole = scopes.filter((scope) => !roleScopes.includes(scope));
    const beyondGrantor = grantor ? scopes.filter((scope) => !grantor.scopes.has(scope)) : [];
    const refused = [...new Set([...beyondRole, ...beyondGrantor])];
    if (refused.length) throw input.scopes ? scopesNotGrantable(inCanonicalOrder(refused)) : roleScopesNotGrantable(inCanonicalOrder(refused));
    const expiresAt = parseExpiry(input.expires_at);
    const made = generateApiKey();
    const entity = await this.keys.insert({ user_id: user.id, name: input.name, prefix: made.prefix, hash: made.hash, scopes, expires_at: expiresAt }, manager);
    return { entity, key: made.key };
  }

  /** The key's record and user, or a 401 saying why it is refused. */
  async verify(secret: string, now = Date.now()): Promise<ApiKeyWithUser> {
    if (!isWellFormedApiKey(secret)) throw malformedApiKey();
    const hash = hashApiKey(secret);
    let found = this.cached(hash, now);
    if (!found) {
      found = await this.keys.findByHashWithUser(hash);
      if (!found) throw unknownApiKey(displayPrefix(secret));
      this.remember(hash, found, now);
    }
    const { key } = found;
    if (key.revoked_at) throw revokedApiKey(key.prefix, key.revoked_at);
    if (key.expires_at && key.expires_at.getTime() <= now) throw expiredApiKey(key.prefix, key.expires_at);
    this.usage.touch(key.id, now);
    return found;
  }

  async list(userId: string): Promise<Array<{ entity: ApiKeyEntity; lastUsedAt: Date | null }>> {
    const keys = await this.keys.listForUser(userId);
    return keys.map((entity) => ({ entity, lastUsedAt: this.lastUsed(entity) }));
  }

  /** Revokes one of the user's keys; another user's key is a 404, as if it did not exist. */
  async revoke(userId: string, keyId: string): Promise<{ entity: ApiKeyEntity; lastUsedAt: Date | null }> {
    const entity = await this.keys.revoke(userId, keyId, new Date());
    if (!entity) throw apiKeyNotFound(keyId);
    for (const [hash, entry] of this.verified) if (entry.found.key.id === keyId) this.verified.delete(hash);
    return { entity, lastUsedAt: this.lastUsed(entity) };
  }

  hasAnyKey(userId: string, manager?: EntityManager): Promise<boolean> {
    return this.keys.countForUser(userId, manager).then((count) => count > 0);
  }

  lockFirstKey(manager: EntityManager, lockId: number): Promise<void> {
    return this.keys.lockFirstKey(manager, lockId);
  }

  /** Writes the pending `last_used_at` values (one statement); runs on a timer and at shutdown. */
  async flushUsage(): Promise<void> {
    const uses = this.usage.drain();
    if (!uses.size) return;
    try {
      await this.keys.recordLastUsed(uses);
    } catch (error) {
      this.usage.restore(uses);
      this.logger.warn({ err: error }, 'could not record API key use; will retry');
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushUsage();
  }

  private lastUsed(entity: ApiKeyEntity): Date | null {
    const pending = this.usage.pendingFor(entity.id);
    if (pending && (!entity.last_used_at || pending > entity.last_used_at)) return pending;
    return entity.last_used_at;
  }

  private cached(hash: string, now: number): ApiKeyWithUser | null {
    const entry = this.verified.get(hash);
    if (!entry) return null;
    if (entry.until > now) return entry.found;
    this.verified.delete(hash);
    return null;
  }

  private remember(hash: string, found: ApiKeyWithUser, now: number): void {
    if (this.verified.size >= MAX_CACHED_KEYS) {
      for (const [cachedHash, entry] of this.verified) if (entry.until <= now) this.verified.delete(cachedHash);
      if (this.verified.size >= MAX_CACHED_KEYS) this.verified.clear();
    }
    this.verified.set(hash, { found, until: now + VERIFIED_KEY_TTL_MS });
  }
}

/** Scopes in the canonical order, without duplicates. */
function inCanonicalOrder(scopes: Scope[]): Scope[] {
  return scopesOfRole('admin').filter((scope) => scopes.includes(scope));
}

function parseExpiry(value: string | Date | null | undefined): Date | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw validationFailed([{ pointer: '/expires_at', message: 'expected an ISO 8601 time such as 2030-01-01T00:00:00Z' }]);
  if (date.getTime() <= Date.now())
    throw validationFailed([
      {
        pointer: '/expires_at',
        message: `${date.toISOString()} is in the past: give a time in the future, or leave expires_at out for a key that never expires`,
      },
    ]);
  return date;
}
