// Credentials to a principal: the configured admin key, a stored API key (`trl_...`), or a JWT.
import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { UserEntity } from '../users/user.entity.js';
import { ADMIN_HANDLE, UsersService } from '../users/users.service.js';
import { looksLikeApiKey, sameSecret } from './api-key.format.js';
import { ApiKeysService } from './api-keys.service.js';
import { unauthenticated } from './auth.errors.js';
import { JwtStrategy } from './jwt.strategy.js';
import { grantedScopes, SCOPES, type Principal } from './principal.js';

export interface Credential {
  /** Where it came from: an API key header, or an `Authorization: Bearer` value. */
  via: 'x-api-key' | 'bearer';
  value: string;
}

export interface Authenticated {
  principal: Principal;
  /** The rate-limit bucket of these credentials. */
  bucket: string;
}

const ADMIN_USER_TTL_MS = 5_000;

/** The credentials of a request, or null when it carries none; a header of the wrong form is a 401. */
export function extractCredential(headers: IncomingHttpHeaders): Credential | null {
  const apiKey = headers['x-api-key'];
  const headerKey = (Array.isArray(apiKey) ? apiKey[0] : apiKey)?.trim();
  if (headerKey) return { via: 'x-api-key', value: headerKey };
  const authorization = headers.authorization?.trim();
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) {
    const scheme = authorization.split(/\s+/)[0];
    throw unauthenticated(`The Authorization header must be "Bearer <token>" (got the "${scheme}" scheme).`);
  }
  return { via: 'bearer', value: match[1]! };
}

@Injectable()
export class AuthService {
  private adminUser: { user: UserEntity; until: number } | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersService,
    private readonly jwt: JwtStrategy,
  ) {}

  async authenticate(credential: Credential, response?: Response): Promise<Authenticated> {
    const { value } = credential;
    if (this.config.adminApiKey && sameSecret(value, this.config.adminApiKey)) {
      return { principal: { user: await this.admin(), role: 'admin', scopes: new Set(SCOPES) }, bucket: 'admin-key' };
    }
    if (credential.via === 'x-api-key' || looksLikeApiKey(value)) {
      const { key, user } = await this.apiKeys.verify(value);
      return { principal: { user, role: user.role, scopes: grantedScopes(user.role, key.scopes), api_key_id: key.id }, bucket: `key:${key.id}` };
    }
    const principal = await this.jwt.verifyRequest({ headers: { authorization: `Bearer ${value}` } }, response);
    return { principal, bucket: `user:${principal.user.id}` };
  }

  /** For callers outside HTTP routes (the WebSocket's `token`): an API key or a JWT, as in a Bearer header. */
  async authenticateToken(token: string): Promise<Principal> {
    if (!token.trim()) throw unauthenticated();
    return (await this.authenticate({ via: 'bearer', value: token.trim() })).principal;
  }

  private async admin(): Promise<UserEntity> {
    const now = Date.now();
    if (this.adminUser && this.adminUser.until > now) return this.adminUser.user;
    const user = await this.users.findByHandle(ADMIN_HANDLE);
    if (!user) throw new Error('the admin user is missing: it is created at start-up');
    this.adminUser = { user, until: now + ADMIN_USER_TTL_MS };
    return user;
  }
}
