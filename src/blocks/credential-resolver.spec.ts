import { describe, expect, it } from '@jest/globals';
import type { BlockDefinition, ResolvedCredential } from './block.types.js';
import { ChainedCredentialResolver, ConfigCredentialSource, resolveCredentialsOrThrow, smtpFields, type CredentialSource } from './credential-resolver.js';
import { defineBlock } from './pins.js';

const block: BlockDefinition = defineBlock({
  id: 'test.creds',
  description: 'Needs credentials',
  category: 'ai',
  inputs: {},
  outputs: {},
  credentials: {
    llm: { provider: 'openai', types: ['api_key'], systemDefaultEnv: 'TEST_OPENAI_KEY' },
    secret: { provider: 'webhook', types: ['webhook_secret'], optional: true },
  },
  cost: 0,
  async *run() {},
});

const config = new ConfigCredentialSource({
  'openai-prod': { provider: 'openai', type: 'api_key', fields: { key: 'sk-config' }, env: { key: 'PROD_KEY' } },
  'openai-unset': { provider: 'openai', type: 'api_key', fields: {}, env: { key: 'UNSET_KEY' } },
  'hook-secret': { provider: 'webhook', type: 'webhook_secret', fields: { secret: 's3cret' }, env: { secret: 'HOOK' } },
});

/** The user's own credentials (what the database source will give). */
const userSource: CredentialSource = {
  label: 'your credentials',
  async find(name, userId) {
    if (userId === 'ada' && name === 'openai-prod') return { name, provider: 'openai', type: 'api_key', fields: { key: 'sk-ada' } };
    return undefined;
  },
};

function resolver(env: NodeJS.ProcessEnv = {}) {
  return new ChainedCredentialResolver([userSource, config], env, () => config.names());
}

describe('credential resolution', () => {
  it('takes the user\'s own credential first, then config', async () => {
    const mine = await resolver().resolve({ block, names: { llm: 'openai-prod' }, userId: 'ada' });
    expect(mine).toEqual({ credentials: { llm: { name: 'openai-prod', provider: 'openai', type: 'api_key', fields: { key: 'sk-ada' } } }, problems: [] });
    const global = await resolver().resolve({ block, names: { llm: 'openai-prod', secret: 'hook-secret' }, userId: 'bob' });
    expect(global.credentials.llm!.fields).toEqual({ key: 'sk-config' });
    expect(global.credentials.secret!.fields).toEqual({ secret: 's3cret' });
  });

  it('falls back to the system default for an unmapped field', async () => {
    const { credentials, problems } = await resolver({ TEST_OPENAI_KEY: 'sk-env' }).resolve({ block, names: {}, userId: null });
    expect(problems).toEqual([]);
    expect(credentials).toEqual({ llm: { name: 'env:TEST_OPENAI_KEY', provider: 'openai', type: 'api_key', fields: { key: 'sk-env' } } });
  });

  it('reports every field that does not resolve, at once, without secrets', async () => {
    const { problems } = await resolver().resolve({ block, names: { llm: 'openai-prdo', secret: 'openai-prod', colour: 'red' }, userId: null });
    expect(problems).toEqual([
      { pointer: '/credentials/colour', message: 'colour: block test.creds has no credential field "colour" (its fields: llm, secret)' },
      { pointer: '/credentials/llm', message: expect.stringContaining('llm: no credential named "openai-prdo" exists for you. Did you mean "openai-prod"?') },
      { pointer: '/credentials/secret', message: 'secret: credential "openai-prod" is of type api_key, but test.creds needs webhook_secret here' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-config');
  });

  it('says which environment variable a config credential lacks', async () => {
    const { problems } = await resolver().resolve({ block, names: { llm: 'openai-unset' }, userId: null });
    expect(problems[0]!.message).toBe('llm: credential "openai-unset" (config/credentials.yaml) reads UNSET_KEY from the environment, which is not set');
  });

  it('asks for a mapping (or the system default) when a required field has neither', async () => {
    const { problems } = await resolver().resolve({ block, names: {}, userId: null });
    expect(problems).toEqual([{ pointer: '/credentials/llm', message: expect.stringContaining('map it to a credential name (credentials: { llm: <name> }), or set TEST_OPENAI_KEY') }]);
  });

  it('throws CREDENTIAL_UNRESOLVED (400) listing the problems', async () => {
    await expect(resolveCredentialsOrThrow(resolver(), { block, names: {}, userId: null })).rejects.toMatchObject({
      code: 'CREDENTIAL_UNRESOLVED',
      status: 400,
      details: { block: 'test.creds', problems: [expect.objectContaining({ pointer: '/credentials/llm' })] },
    });
    const resolved: Record<string, ResolvedCredential> = await resolveCredentialsOrThrow(resolver({ TEST_OPENAI_KEY: 'k' }), { block, names: {}, userId: null });
    expect(Object.keys(resolved)).toEqual(['llm']);
  });

  it('reads SMTP_URL into the smtp fields', () => {
    expect(smtpFields('smtps://mailer:p%40ss@mail.example.com?from=bot@example.com')).toEqual({
      host: 'mail.example.com',
      port: '465',
      secure: 'true',
      username: 'mailer',
      password: 'p@ss',
      from: 'bot@example.com',
    });
    expect(smtpFields('smtp://mail.example.com:2525')).toEqual({ host: 'mail.example.com', port: '2525', secure: 'false' });
    expect(smtpFields('http://nope')).toBeUndefined();
  });
});
