// The one gate of /api: every route needs credentials unless marked @Public(); scopes from
// @RequireScopes(); rate limits per caller and per source address. Outside /api (health, metrics,
// webhooks) routes are public: webhooks do their own authentication.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppError } from '../common/errors.js';
import { PUBLIC_ROUTE, REQUIRED_SCOPES } from './auth.decorators.js';
import { missingScopes, unauthenticated } from './auth.errors.js';
import { AuthService, extractCredential, type Authenticated, type Credential } from './auth.service.js';
import { setRequestPrincipal, type Scope } from './principal.js';
import { RateLimiter } from './rate-limiter.js';

export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!isApiPath(request.path)) return true;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) ?? false;
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';

    let credential: Credential | null;
    try {
      credential = extractCredential(request.headers);
    } catch (error) {
      await this.limiter.limitAddress(address);
      throw error;
    }
    if (!credential) {
      await this.limiter.limitAddress(address);
      if (isPublic) return true;
      throw unauthenticated();
    }
    let authenticated: Authenticated;
    try {
      authenticated = await this.auth.authenticate(credential, context.switchToHttp().getResponse<Response>());
    } catch (error) {
      // Failed attempts count against the address, so keys cannot be guessed at the per-key rate.
      if (error instanceof AppError && error.status === 401) await this.limiter.limitAddress(address);
      throw error;
    }
    await this.limiter.limitCaller(authenticated.bucket);
    const { principal } = authenticated;
    setRequestPrincipal(request, principal);

    const required = this.reflector.getAllAndMerge<Scope[]>(REQUIRED_SCOPES, targets) ?? [];
    const missing = [...new Set(required)].filter((scope) => !principal.scopes.has(scope));
    if (missing.length) throw missingScopes(missing, principal.role, principal.api_key_id !== undefined);
    return true;
  }
}
