// Who is calling: the user, the role the request acts with, and the scopes it may use.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { UserEntity, UserRole } from '../users/user.entity.js';
import { unauthenticated } from './auth.errors.js';
import { scopesOfRole, type Scope } from './scopes.js';

export { isScope, SCOPES, scopesOfRole, type Scope } from './scopes.js';

/** What a request may do: both the role and (for an API key) the key's scopes must allow it. */
export function grantedScopes(role: UserRole, keyScopes?: readonly string[]): Set<Scope> {
  const allowed = scopesOfRole(role);
  if (!keyScopes) return new Set(allowed);
  return new Set(allowed.filter((scope) => keyScopes.includes(scope)));
}

export interface Principal {
  user: UserEntity;
  role: UserRole;
  scopes: Set<Scope>;
  /** Set when the caller used a stored API key (not the TRELLIS_ADMIN_API_KEY, not a JWT). */
  api_key_id?: string;
}

/** How the caller authenticated; used for rate-limit buckets and log lines. */
export type PrincipalSource = 'api_key' | 'admin_key' | 'jwt';

interface RequestWithPrincipal extends Request {
  principal?: Principal;
}

export function setRequestPrincipal(request: Request, principal: Principal): void {
  (request as RequestWithPrincipal).principal = principal;
}

export function requestPrincipal(request: Request): Principal | undefined {
  return (request as RequestWithPrincipal).principal;
}

/** `@CurrentPrincipal() principal: Principal` in a controller method under /api. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = requestPrincipal(context.switchToHttp().getRequest<Request>());
  if (!principal) throw unauthenticated();
  return principal;
});
