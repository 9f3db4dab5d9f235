import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ALLOW, mayUseOperatorCredential, NOBODY, OPERATOR, type CredentialAsker } from './credential-policy.js';

const admin: CredentialAsker = { userId: 'u-admin', handle: 'admin', role: 'admin' };
const alice: CredentialAsker = { userId: 'u-alice', handle: 'alice', role: 'user' };
const bob: CredentialAsker = { userId: 'u-bob', handle: 'bob', role: 'user' };

describe('who may use an operator credential', () => {
  it('by default: file agents (through their file) and admins, nobody else', () => {
    expect(mayUseOperatorCredential(DEFAULT_ALLOW, bob, true)).toBe(true);
    expect(mayUseOperatorCredential(DEFAULT_ALLOW, bob, false)).toBe(false);
    expect(mayUseOperatorCredential(DEFAULT_ALLOW, admin, false)).toBe(true);
    expect(mayUseOperatorCredential(DEFAULT_ALLOW, NOBODY, false)).toBe(false);
  });

  it('admits named users and roles, and file agents only when the entry says so', () => {
    const allow = { file_agents: false, roles: [] as Array<'admin' | 'user'>, users: ['alice'] };
    expect(mayUseOperatorCredential(allow, alice, false)).toBe(true);
    expect(mayUseOperatorCredential(allow, bob, false)).toBe(false);
    expect(mayUseOperatorCredential(allow, bob, true)).toBe(false);
    expect(mayUseOperatorCredential(allow, admin, true)).toBe(false);
    expect(mayUseOperatorCredential({ ...allow, roles: ['user'] }, bob, false)).toBe(true);
  });

  it("admits the operator's own configuration (notification channels) whatever the entry says", () => {
    expect(mayUseOperatorCredential({ file_agents: false, roles: [], users: [] }, OPERATOR, false)).toBe(true);
  });
});
