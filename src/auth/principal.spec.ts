import { describe, expect, it } from '@jest/globals';
import { grantedScopes, isScope, SCOPES, scopesOfRole } from './principal.js';

describe('scopes', () => {
  it('gives admins every scope and users every scope but admin', () => {
    expect(scopesOfRole('admin')).toEqual([...SCOPES]);
    expect(scopesOfRole('user')).not.toContain('admin');
    expect(scopesOfRole('user')).toHaveLength(SCOPES.length - 1);
  });

  it.each([
    ['admin', undefined, [...SCOPES]],
    ['user', undefined, ['graphs:read', 'graphs:write', 'executions:run', 'executions:read', 'credentials:manage', 'account', 'reviews:decide']],
    ['admin', ['graphs:read', 'admin'], ['graphs:read', 'admin']],
    // A user-role caller never gets admin, whatever the key says.
    ['user', ['graphs:read', 'admin'], ['graphs:read']],
    ['user', [], []],
  ] as const)('role %s with key scopes %p may use %p', (role, keyScopes, expected) => {
    expect([...grantedScopes(role, keyScopes as readonly string[] | undefined)]).toEqual(expected);
  });

  it('recognises scope names', () => {
    expect(isScope('executions:run')).toBe(true);
    expect(isScope('executions:write')).toBe(false);
    expect(isScope(3)).toBe(false);
  });
});
