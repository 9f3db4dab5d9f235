import { describe, expect, it } from '@jest/globals';
import type { ConfigCredential } from '../config/config.schema.js';
import type { BlockDefinition, ResolvedCredential } from './block.types.js';
import { DEFAULT_ALLOW, type CredentialAsker } from './credential-policy.js';
import { ChainedCredentialResolver, ConfigCredentialSource, resolveCredentialsOrThrow, type CredentialSource } from './credential-resolver.js';
import { defineBlock } from './pins.js';

const block: BlockDefinition = defineBlock({
  id: 'test.creds',
  description: 'Needs credentials',
  category: 'ai',
  inputs: {},
  outputs: {},
  credentials: {
    llm: { provider: 'openai', types: ['api_key'], systemDefaultEnv: 'OPENAI_API_KEY' },
    secret: { provider: 'webhook', types: ['webhook_secret'], optional: true },
  },
  cost: 0,
  async *run() {},
});

const operator = (entry: Omit<ConfigCredential, 'allow' | 'hosts'>, extra: Partial<ConfigCredential> = {}): ConfigCredential => ({
  allow: DEFAULT_ALLOW,
  hosts: [],
  ...entry,
  ...extra,
});

function config(systemKey?: string) {
  return new ConfigCredentialSource({
    'openai-prod': operator(
      { provider: 'openai', type: 'api_key', fields: { key: 'sk-config' }, env: { key: 'PROD_KEY' } },
      { allow: { file_agents: true, roles: ['admin'], users: ['bob'] }, hosts: ['api.openai.com'] },
    ),
    'openai-unset': operator(
      { provider: 'openai', type: 'api_key', fields: {}, env: { key: 'UNSET_KEY' } },
      { allow: { file_agents: true, roles: ['user'], users: [] } },
    ),
    'hook-secret': operator(
      { provider: 'webhook', type: 'webhook_secret', fields: { secret: 's3cret' }, env: { secret: 'HOOK' } },
      { allow: { file_agents: true, roles: ['user'], users: [] } },
    ),
    'admins-only': operator({ provider: 'openai', type: 'api_key', fields: { key: 'sk-admin' }, env: { key: 'ADMIN_KEY' } }),
    'default:openai': operator(
      { provider: 'openai', type: 'api_key', fields: systemKey ? { key: systemKey } : {}, env: { key: 'OPENAI_API_KEY' } },
      { system: true, hosts: ['api.openai.com'] },
    ),
  });
}

/** The user's own credentials (what the database source gives). */
const userSource: CredentialSource = {
  label: 'your credentials',
  async find(name, userId) {
    if (userId === 'ada' && name === 'openai-prod') return { name, provider: 'openai', type: 'api_key', fields: { key: 'sk-ada' } };
    return undefined;
  },
};

const ada: CredentialAsker = { userId: 'ada', handle: 'ada', role: 'user' };
const bob: CredentialAsker = { userId: 'bob', handle: 'bob', role: 'user' };
const carol: CredentialAsker = { userId: 'carol', handle: 'carol', role: 'user' };
const admin: CredentialAsker = { userId: 'root', handle: 'admin', role: 'admin' };

function resolver(systemKey?: string) {
  const source = config(systemKey);
  return new ChainedCredentialResolver([userSource, source], source);
}

describe('credential resolution', () => {
  it("takes the user's own credential first, then an operator one the user may use", async () => {
    const mine = await resolver().resolve({ block, names: { llm: 'openai-prod' }, userId: 'ada', asker: ada });
    expect(mine).toEqual({ credentials: { llm: { name: 'openai-prod', provider: 'openai', type: 'api_key', fields: { key: 'sk-ada' } } }, problems: [] });
    const global = await resolver().resolve({ block, names: { llm: 'openai-prod', secret: 'hook-secret' }, userId: 'bob', asker: bob });
    expect(global.credentials.llm).toEqual({
      name: 'openai-prod',
      provider: 'openai',
      type: 'api_key',
      fields: { key: 'sk-config' },
      hosts: ['api.openai.com'],
    });
    expect(global.credentials.secret!.fields).toEqual({ secret: 's3cret' });
  });

  it('resolves an operator credential the asker may not use exactly like a name that does not exist', async () => {
    const refused = await resolver().resolve({ block, names: { llm: 'admins-only' }, userId: 'carol', asker: carol });
    const missing = await resolver().resolve({ block, names: { llm: 'admins-onlx' }, userId: 'carol', asker: carol });
    expect(refused.credentials).toEqual({});
    expect(refused.problems[0]!.message).toBe(
      'llm: no credential named "admins-only" exists for you. Create it (POST /api/integrations/credentials) or define it in config/credentials.yaml',
    );
    expect(missing.problems[0]!.message.replace('admins-onlx', 'admins-only')).toBe(refused.problems[0]!.message);
    expect(JSON.stringify(missing.problems)).not.toContain('Did you mean');
    const forAdmin = await resolver().resolve({ block, names: { llm: 'admins-only' }, userId: 'root', asker: admin });
    expect(forAdmin.credentials.llm!.fields).toEqual({ key: 'sk-admin' });
    const typo = await resolver().resolve({ block, names: { llm: 'admins-onlx' }, userId: 'root', asker: admin });
    expect(typo.problems[0]!.message).toContain('Did you mean "admins-only"?');
  });

  it('admits file agents through names from their file (file trust), not through other fields', async () => {
    const trusted = await resolver().resolve({ block, names: { llm: 'admins-only' }, userId: 'carol', asker: carol, fileTrusted: ['llm'] });
    expect(trusted.credentials.llm!.fields).toEqual({ key: 'sk-admin' });
    const other = await resolver().resolve({ block, names: { llm: 'admins-only' }, userId: 'carol', asker: carol, fileTrusted: ['secret'] });
    expect(other.credentials).toEqual({});
  });

  it('gives an unmapped field the system default only to whom it admits', async () => {
    const forAdmin = await resolver('sk-env').resolve({ block, names: {}, userId: 'root', asker: admin });
    expect(forAdmin.problems).toEqual([]);
    expect(forAdmin.credentials.llm).toEqual({
      name: 'default:openai',
      provider: 'openai',
      type: 'api_key',
      fields: { key: 'sk-env' },
      hosts: ['api.openai.com'],
    });
    expect(forAdmin.systemDefaults).toEqual({ openai: forAdmin.credentials.llm });
    const forCarol = await resolver('sk-env').resolve({ block, names: {}, userId: 'carol', asker: carol });
    expect(forCarol.credentials).toEqual({});
    expect(forCarol.systemDefaults).toBeUndefined();
    expect(forCarol.problems[0]!.message).toContain('map it to a credential name (credentials: { llm: <name> }), or set OPENAI_API_KEY');
  });

  it('refuses an operator credential of a provider the field does not take', async () => {
    const { problems } = await resolver().resolve({ block, names: { secret: 'hook-secret', llm: 'hook-secret' }, userId: 'bob', asker: bob });
    expect(problems.map((p) => p.message)).toEqual(['llm: credential "hook-secret" is of type webhook_secret, but test.creds needs api_key here']);
    const openaiAsWebhook: BlockDefinition = { ...block, id: 'test.hook', credentials: { secret: { provider: 'webhook', types: ['api_key'] } } };
    const wrong = await resolver().resolve({ block: openaiAsWebhook, names: { secret: 'openai-prod' }, userId: 'bob', asker: bob });
    expect(wrong.problems[0]!.message).toBe('secret: credential "openai-prod" is for openai, but test.hook takes webhook credentials here');
  });

  it('reports every field that does not resolve, at once, without secrets', async () => {
    const { problems } = await resolver().resolve({ block, names: { llm: 'openai-prdo', secret: 'openai-prod', colour: 'red' }, userId: 'bob', asker: bob });
    expect(problems).toEqual([
      { pointer: '/credentials/colour', message: 'colour: block test.creds has no credential field "colour" (its fields: llm, secret)' },
      { pointer: '/credentials/llm', message: expect.stringContaining('llm: no credential named "openai-prdo" exists for you. Did you mean "openai-prod"?') },
      { pointer: '/credentials/secret', message: 'secret: credential "openai-prod" is of type api_key, but test.creds needs webhook_secret here' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-config');
  });

  it('says which environment variable a config credential lacks (to whom may use it)', async () => {
    const { problems } = await resolver().resolve({ block, names: { llm: 'openai-unset' }, userId: 'bob', asker: bob });
    expect(problems[0]!.message).toBe('llm: credential "openai-unset" (config/credentials.yaml) reads UNSET_KEY from the environment, which is not set');
  });

  it('throws CREDENTIAL_UNRESOLVED (400) listing the problems', async () => {
    await expect(resolveCredentialsOrThrow(resolver(), { block, names: {}, userId: null })).rejects.toMatchObject({
      code: 'CREDENTIAL_UNRESOLVED',
      status: 400,
      details: { block: 'test.creds', problems: [expect.objectContaining({ pointer: '/credentials/llm' })] },
    });
    const resolved: Record<string, ResolvedCredential> = await resolveCredentialsOrThrow(resolver('k'), { block, names: {}, userId: 'root', asker: admin });
    expect(Object.keys(resolved)).toEqual(['llm']);
  });
});
