// The scopes an API key may carry, without the framework: principal.ts (Nest) re-exports them, and the
// CLI's `keys create` help names them without loading Nest.
import type { UserRole } from '../users/user.entity.js';

/** `account`: the caller's own account (PUT /user, notifications, API keys); `reviews:decide`: deciding human reviews. */
export const SCOPES = ['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage', 'account', 'reviews:decide', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes a role may ever use: `admin` is for admins only, whatever a key says. */
export function scopesOfRole(role: UserRole): Scope[] {
  return role === 'admin' ? [...SCOPES] : SCOPES.filter((scope) => scope !== 'admin');
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}
