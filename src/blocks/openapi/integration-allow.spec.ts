// An integration's `allow` (release-2.md section 5): read like a credential's (each key given replaces its
// default: file agents and admins), checked at line:col, and applied to its blocks by the operator
// credential rule (credential-policy.ts), so a block the asker may not use reads as absent.
import { describe, expect, it } from '@jest/globals';
import type { BlockDefinition, BlockLookup } from '../block.types.js';
import { blocksUsableBy, mayUseBlock, type CredentialAsker } from '../credential-policy.js';
import { checkIntegrationFile } from './integration-file.js';

const file = (allow?: string) =>
  ['name: pets', 'openapi: docs/pets.yaml', 'base_url: https://pets.example.com', ...(allow === undefined ? [] : [`allow: ${allow}`]), ''].join('\n');
const check = (allow?: string) => checkIntegrationFile(file(allow), 'integrations/pets.yaml', new Set(['http']));

const block = (id: string, allow?: BlockDefinition['allow']): BlockDefinition => ({
  id,
  description: id,
  category: 'http',
  inputSchema: { type: 'object', properties: {} },
  outputSchema: { type: 'object', properties: {} },
  cost: 1,
  ...(allow ? { allow } : {}),
  // eslint-disable-next-line require-yield
  run: async function* () {
    return;
  },
});

const admin: CredentialAsker = { userId: 'a', handle: 'admin', role: 'admin' };
const alice: CredentialAsker = { userId: 'b', handle: 'alice', role: 'user' };
const bob: CredentialAsker = { userId: 'c', handle: 'bob', role: 'user' };

describe("an integration's allow", () => {
  it('defaults to file agents and admins, and a key given replaces only its own default', () => {
    expect(check().integration?.allow).toEqual({ file_agents: true, roles: ['admin'], users: [] });
    expect(check('{ users: [alice] }').integration?.allow).toEqual({ file_agents: true, roles: ['admin'], users: ['alice'] });
    expect(check('{ file_agents: false, roles: [] }').integration?.allow).toEqual({ file_agents: false, roles: [], users: [] });
  });

  it('names the line and column of each wrong key or value', () => {
    const { integration, problems } = check('{ roles: [owner], file_agents: yes, everyone: true, users: alice }');
    expect(integration).toBeUndefined();
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '4:44 allow.everyone is not a key of allow (its keys: file_agents, roles, users)',
      '4:39 allow.file_agents must be true or false',
      '4:17 allow.roles is a list of roles: admin, user',
      '4:67 allow.users is a list of user handles',
    ]);
  });

  it('admits by the operator credential rule: roles, users, and file agents only under file trust', () => {
    const team = block('pets.get_pet', { file_agents: true, roles: ['admin'], users: ['alice'] });
    expect([admin, alice, bob].map((asker) => mayUseBlock(team, asker, false))).toEqual([true, true, false]);
    expect(mayUseBlock(team, bob, true)).toBe(true);
    const noFiles = block('pets.get_pet', { file_agents: false, roles: [], users: ['alice'] });
    expect(mayUseBlock(noFiles, admin, true)).toBe(false);
    expect(mayUseBlock(block('text.template'), bob, false)).toBe(true);
  });

  it('hides from a lookup, by id and in the list, every block the asker may not use', () => {
    const blocks = [block('text.template'), block('pets.get_pet', { file_agents: true, roles: ['admin'], users: [] })];
    const lookup: BlockLookup = { get: (id) => blocks.find((b) => b.id === id), list: () => blocks };
    const bobs = blocksUsableBy(lookup, bob);
    expect(bobs.get('pets.get_pet')).toBeUndefined();
    expect(bobs.list().map((b) => b.id)).toEqual(['text.template']);
    expect(blocksUsableBy(lookup, admin).get('pets.get_pet')?.id).toBe('pets.get_pet');
  });
});
