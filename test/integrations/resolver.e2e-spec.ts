import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { BlockDefinition, CredentialFieldSpec } from '../../src/blocks/block.types.js';
import { CREDENTIAL_RESOLVER, resolveCredentialsOrThrow } from '../../src/blocks/credential-resolver.js';
import { AppError } from '../../src/common/errors.js';
import { CredentialsResolver } from '../../src/integrations/credentials.resolver.js';
import { CryptoService } from '../../src/integrations/crypto.service.js';
import { createIntegrationsApp, makeUser, type IntegrationsApp, type MadeUser } from './integrations-app.js';

const ENV = { INT_RES_CONFIG_KEY: 'sk-config-9', OPENAI_API_KEY: 'sk-system-9' };

function block(id: string, credentials: Record<string, CredentialFieldSpec>): BlockDefinition {
  return {
    id,
    description: id,
    category: 'http',
    inputSchema: { type: 'object', properties: {} },
    outputSchema: { type: 'object', properties: {} },
    credentials,
    cost: 0,
    async *run() {},
  };
}

const llm = block('test.llm', { llm: { provider: 'openai', types: ['api_key'], systemDefaultEnv: 'OPENAI_API_KEY' } });
const http = block('test.http', {
  auth: { provider: 'http', types: ['api_key', 'user_password', 'header'], optional: true },
  hook: { provider: 'slack', types: ['secret_url'] },
});

describe("credential resolution: the user's own, then config, then the system default", () => {
  let t: IntegrationsApp;
  let resolver: CredentialsResolver;
  let ada: MadeUser;
  let bob: MadeUser;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    t = await createIntegrationsApp({
      label: 'resolver',
      env: ENV,
      credentialsYaml: [
        'team-openai:\n  provider: openai\n  type: api_key\n  env: { key: INT_RES_CONFIG_KEY }\n  allow: { roles: [admin, user] }',
        'unset-openai:\n  provider: openai\n  type: api_key\n  env: { key: INT_RES_NOT_SET }\n  allow: { roles: [admin, user] }',
        'team-basic:\n  provider: http\n  type: user_password\n  env: { username: INT_RES_CONFIG_KEY, password: INT_RES_CONFIG_KEY }\n  allow: { roles: [admin, user] }\n  hosts: [api.example.com]',
        'admins-openai:\n  provider: openai\n  type: api_key\n  env: { key: INT_RES_CONFIG_KEY }',
        'default:openai:\n  allow: { users: [ada] }',
      ].join('\n'),
    });
    resolver = t.app.get(CredentialsResolver);
    ada = await makeUser(t.http, 'ada');
    bob = await makeUser(t.http, 'bob');
    const create = (user: MadeUser, body: object) => request(t.http).post('/api/integrations/credentials').set('X-API-Key', user.key).send(body).expect(201);
    await create(ada, { name: 'my-openai', provider: 'openai', type: 'api_key', secrets: { key: 'sk-ada-own' } });
    await create(ada, { name: 'my-hook', provider: 'slack', type: 'secret_url', secrets: { url: 'https://hooks.example.com/ada' } });
    await create(bob, { name: 'bob-openai', provider: 'openai', type: 'api_key', secrets: { key: 'sk-bob-own' } });
  });
  afterAll(async () => {
    await t.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('is what the app provides as CREDENTIAL_RESOLVER', () => {
    expect(t.app.get(CREDENTIAL_RESOLVER)).toBe(resolver);
  });

  it("resolves the user's own credential, decrypted", async () => {
    const { credentials, problems } = await resolver.resolve({ block: llm, names: { llm: 'my-openai' }, userId: ada.id });
    expect(problems).toEqual([]);
    expect(credentials.llm).toMatchObject({ name: 'my-openai', provider: 'openai', type: 'api_key', fields: { key: 'sk-ada-own' } });
  });

  it('falls back to config/credentials.yaml, and to the system default for an unmapped field', async () => {
    const config = await resolver.resolve({ block: llm, names: { llm: 'team-openai' }, userId: ada.id });
    expect(config.credentials.llm!.fields).toEqual({ key: 'sk-config-9' });
    const system = await resolver.resolve({ block: llm, names: {}, userId: ada.id });
    expect(system.credentials.llm).toMatchObject({ name: 'default:openai', fields: { key: 'sk-system-9' }, hosts: ['api.openai.com'] });
    const notAllowed = await resolver.resolve({ block: llm, names: {}, userId: bob.id });
    expect(notAllowed.credentials).toEqual({});
    expect(notAllowed.problems[0]!.message).toContain('map it to a credential name (credentials: { llm: <name> }), or set OPENAI_API_KEY');
  });

  it('resolves an operator credential a user may not use exactly like a name that does not exist', async () => {
    const refused = await resolver.resolve({ block: llm, names: { llm: 'admins-openai' }, userId: bob.id });
    const missing = await resolver.resolve({ block: llm, names: { llm: 'nonexistent-x' }, userId: bob.id });
    expect(refused.credentials).toEqual({});
    expect(refused.problems[0]!.message.replace('admins-openai', 'NAME')).toBe(missing.problems[0]!.message.replace('nonexistent-x', 'NAME'));
    const near = await resolver.resolve({ block: llm, names: { llm: 'admins-openaj' }, userId: bob.id });
    expect(near.problems[0]!.message).not.toContain('admins-openai');
  });

  it("prefers the user's own credential over a config one of the same name", async () => {
    // The API refuses names that are in config; one stored before config gained the name still wins for its owner.
    const sealed = t.app.get(CryptoService).sealFields({ username: 'bob-user', password: 'bob-pass' }, bob.id, 'team-basic');
    await t.dataSource.query(
      "INSERT INTO credentials (user_id, name, provider, type, ciphertext, key_id) VALUES ($1, 'team-basic', 'http', 'user_password', $2, $3)",
      [bob.id, sealed.ciphertext, sealed.keyId],
    );
    const own = await resolver.resolve({ block: http, names: { auth: 'team-basic', hook: 'my-hook' }, userId: bob.id });
    expect(own.credentials.auth!.fields).toEqual({ username: 'bob-user', password: 'bob-pass' });
    expect(own.problems.map((p) => p.pointer)).toEqual(['/credentials/hook']);
    const others = await resolver.resolve({ block: http, names: { auth: 'team-basic' }, userId: ada.id });
    expect(others.credentials.auth!.fields).toEqual({ username: 'sk-config-9', password: 'sk-config-9' });
  });

  it('does not open a ciphertext moved to another row (it is bound to its owner and name)', async () => {
    await t.dataSource.query("UPDATE credentials SET ciphertext = (SELECT ciphertext FROM credentials WHERE name = 'bob-openai') WHERE name = 'my-openai'");
    try {
      const { credentials, problems } = await resolver.resolve({ block: llm, names: { llm: 'my-openai' }, userId: ada.id });
      expect(credentials).toEqual({});
      expect(problems[0]!.message).toContain('your credential "my-openai" cannot be decrypted (the ciphertext (key ');
      expect(problems[0]!.message).toContain('failed its authentication check: it was altered, or belongs to another record)');
      expect(problems[0]!.message).not.toContain('sk-bob-own');
    } finally {
      await request(t.http)
        .put('/api/integrations/credentials/my-openai')
        .set('X-API-Key', ada.key)
        .send({ secrets: { key: 'sk-ada-own' } })
        .expect(200);
    }
  });

  it("never resolves another user's credential", async () => {
    const { credentials, problems } = await resolver.resolve({ block: llm, names: { llm: 'bob-openai' }, userId: ada.id });
    expect(credentials).toEqual({});
    expect(problems).toEqual([{ pointer: '/credentials/llm', message: expect.stringContaining('llm: no credential named "bob-openai" exists for you.') }]);
    const anonymous = await resolver.resolve({ block: llm, names: { llm: 'my-openai' }, userId: null });
    expect(anonymous.problems[0]!.message).toContain('no credential named "my-openai" exists for you');
  });

  it('reports every unresolved field at once: missing names, wrong types, unset config variables, unmapped required fields', async () => {
    const { credentials, problems } = await resolver.resolve({ block: http, names: { auth: 'my-hook', other: 'x' }, userId: ada.id });
    expect(credentials).toEqual({});
    const messages = problems.map((p) => p.message);
    expect(messages).toEqual([
      'other: block test.http has no credential field "other" (its fields: auth, hook)',
      'auth: credential "my-hook" is of type secret_url, but test.http needs api_key or user_password or header here',
      'hook: test.http needs a slack credential (secret_url): map it to a credential name (credentials: { hook: <name> })',
    ]);
    const unset = await resolver.resolve({ block: llm, names: { llm: 'unset-openai' }, userId: ada.id });
    expect(unset.problems[0]!.message).toBe(
      'llm: credential "unset-openai" (config/credentials.yaml) reads INT_RES_NOT_SET from the environment, which is not set',
    );
    const typo = await resolver.resolve({ block: llm, names: { llm: 'my-openia' }, userId: ada.id });
    expect(typo.problems[0]!.message).toContain('Did you mean "my-openai"?');
  });

  it('resolves every node of an execution, or answers CREDENTIAL_UNRESOLVED (400) naming node, field and name', async () => {
    const ok = await resolver.resolveNodes(ada.id, [
      { nodeId: 'ask', block: llm, names: { llm: 'my-openai' } },
      { nodeId: 'notify', block: http, names: { hook: 'my-hook' } },
    ]);
    expect(ok.ask!.llm!.fields.key).toBe('sk-ada-own');
    expect(ok.notify!.hook!.fields.url).toBe('https://hooks.example.com/ada');
    expect(ok.notify!.auth).toBeUndefined();

    const error = await resolver
      .resolveNodes(ada.id, [
        { nodeId: 'ask', block: llm, names: { llm: 'nope-1' } },
        { nodeId: 'notify', block: http, names: { hook: 'nope-2' } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('CREDENTIAL_UNRESOLVED');
    expect(appError.status).toBe(400);
    const problems = appError.details.problems as Array<{ node: string; pointer: string; message: string }>;
    expect(problems.map((p) => [p.node, p.pointer])).toEqual([
      ['ask', '/nodes/ask/credentials/llm'],
      ['notify', '/nodes/notify/credentials/hook'],
    ]);
    expect(problems[0]!.message).toMatch(
      /^node "ask" \(test\.llm\), field llm: no credential named "nope-1" exists for you\..* Create it \(POST \/api\/integrations\/credentials\)/,
    );
    expect(appError.message).toMatch(/^2 credential fields do not resolve: node "ask".*; node "notify"/);
  });

  it("works behind the blocks' resolveCredentialsOrThrow", async () => {
    const resolved = await resolveCredentialsOrThrow(resolver, { block: llm, names: { llm: 'my-openai' }, userId: ada.id });
    expect(resolved.llm!.fields.key).toBe('sk-ada-own');
    await expect(resolveCredentialsOrThrow(resolver, { block: llm, names: { llm: 'nope' }, userId: ada.id })).rejects.toMatchObject({
      code: 'CREDENTIAL_UNRESOLVED',
      status: 400,
    });
  });

  it('answers credentials that never serialise their secrets', async () => {
    const { credentials } = await resolver.resolve({ block: llm, names: { llm: 'my-openai' }, userId: ada.id });
    const credential = credentials.llm!;
    expect(JSON.stringify({ inputs: { credential } })).toBe(
      '{"inputs":{"credential":{"name":"my-openai","provider":"openai","type":"api_key","fields":"[redacted]"}}}',
    );
    expect(inspect(credential)).not.toContain('sk-ada-own');
    expect(Object.isFrozen(credential.fields)).toBe(true);
    expect(credential.fields.key).toBe('sk-ada-own');
  });

  it('reports a credential whose key is gone, naming what to do', async () => {
    await request(t.http)
      .post('/api/integrations/credentials')
      .set('X-API-Key', ada.key)
      .send({ name: 'old-key', provider: 'openai', type: 'api_key', secrets: { key: 'sk-old' } })
      .expect(201);
    await t.dataSource.query(
      "UPDATE credentials SET ciphertext = regexp_replace(ciphertext, '^v1\\.[0-9a-f]+\\.', 'v1.00000000deadbeef.'), key_id = '00000000deadbeef' WHERE name = 'old-key'",
    );
    const { problems } = await resolver.resolve({ block: llm, names: { llm: 'old-key' }, userId: ada.id });
    expect(problems[0]!.message).toBe(
      'llm: your credential "old-key" cannot be decrypted (encrypted with key 00000000deadbeef, which is neither TRELLIS_ENCRYPTION_KEY nor one of TRELLIS_ENCRYPTION_KEYS_OLD). ' +
        'An admin must restore that key in TRELLIS_ENCRYPTION_KEYS_OLD, or store the secret again (PUT /api/integrations/credentials/old-key)',
    );
  });
});
