import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import request from 'supertest';
import type { BlockDefinition } from '../../src/blocks/block.types.js';
import { openDataSource } from '../../src/entities.js';
import { registerCredentialsCommands } from '../../src/integrations/credentials.command.js';
import { CredentialsRepository } from '../../src/integrations/credentials.repository.js';
import { CredentialsResolver } from '../../src/integrations/credentials.resolver.js';
import { rotateCredentials } from '../../src/integrations/credentials.rotation.js';
import { CryptoService } from '../../src/integrations/crypto.service.js';
import { keyIdOf } from '../../src/integrations/encryption.js';
import { loadKeyring } from '../../src/integrations/encryption-key.js';
import { OAuthStatesRepository } from '../../src/integrations/oauth-states.repository.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createIntegrationsApp, makeUser, newKey, type IntegrationsApp, type MadeUser } from './integrations-app.js';

const anyKey: BlockDefinition = {
  id: 'test.any',
  description: 'takes an api key',
  category: 'http',
  inputSchema: { type: 'object', properties: {} },
  outputSchema: { type: 'object', properties: {} },
  credentials: { auth: { provider: 'http', types: ['api_key'] } },
  cost: 0,
  async *run() {},
};

const OAUTH = {
  integrations: { oauth2: { acme: { authorize_url: 'http://127.0.0.1:9/authorize', token_url: 'http://127.0.0.1:9/token', client_id: 'cid' } } },
};
const idOf = (base64: string) => keyIdOf(Buffer.from(base64, 'base64'));

describe('key rotation: old keys decrypt, `trellis credentials rotate` re-encrypts', () => {
  const oldKey = newKey();
  const newKeyValue = newKey();
  let database: TestDatabase;
  let ada: MadeUser;
  let pendingState: string;

  /** An app of the cluster under some key configuration (all on one database). */
  const appWith = (env: Record<string, string>) =>
    createIntegrationsApp({ label: 'rotation', database, env: { TRELLIS_ENCRYPTION_KEYS_OLD: '', ...env }, overrides: OAUTH });

  const resolveAll = async (t: IntegrationsApp, names: string[]) => {
    const resolver = t.app.get(CredentialsResolver);
    const out: Record<string, string | undefined> = {};
    for (const name of names) {
      const { credentials, problems } = await resolver.resolve({ block: anyKey, names: { auth: name }, userId: ada.id });
      out[name] = credentials.auth?.fields.key ?? problems[0]?.message;
    }
    return out;
  };

  beforeAll(async () => {
    database = await createTestDatabase('rotation');
    const first = await appWith({ TRELLIS_ENCRYPTION_KEY: oldKey });
    try {
      ada = await makeUser(first.http, 'ada');
      for (let i = 1; i <= 5; i++) {
        await request(first.http)
          .post('/api/integrations/credentials')
          .set('X-API-Key', ada.key)
          .send({ name: `k${i}`, provider: 'http', type: 'api_key', secrets: { key: `secret-${i}` } })
          .expect(201);
      }
      const login = await request(first.http).post('/api/integrations/acme/login').set('X-API-Key', ada.key).send({ name: 'acme' }).expect(200);
      pendingState = new URL(login.body.login_url).searchParams.get('state')!;
    } finally {
      await first.close();
    }
  });
  afterAll(() => database.drop());

  it('reads credentials made under the old key once it is in TRELLIS_ENCRYPTION_KEYS_OLD, and writes new ones under the new key', async () => {
    const t = await appWith({ TRELLIS_ENCRYPTION_KEY: newKeyValue, TRELLIS_ENCRYPTION_KEYS_OLD: oldKey });
    try {
      expect(await resolveAll(t, ['k1', 'k5'])).toEqual({ k1: 'secret-1', k5: 'secret-5' });
      await request(t.http)
        .post('/api/integrations/credentials')
        .set('X-API-Key', ada.key)
        .send({ name: 'k6', provider: 'http', type: 'api_key', secrets: { key: 'secret-6' } })
        .expect(201);
      const rows: Array<{ name: string; key_id: string }> = await t.dataSource.query('SELECT name, key_id FROM credentials ORDER BY name');
      expect(rows).toEqual([...[1, 2, 3, 4, 5].map((i) => ({ name: `k${i}`, key_id: idOf(oldKey) })), { name: 'k6', key_id: idOf(newKeyValue) }]);
    } finally {
      await t.close();
    }
  });

  it('without the old key, old credentials are reported unreadable (never silently skipped)', async () => {
    const t = await appWith({ TRELLIS_ENCRYPTION_KEY: newKeyValue });
    try {
      const resolved = await resolveAll(t, ['k1', 'k6']);
      expect(resolved.k6).toBe('secret-6');
      expect(resolved.k1).toContain(`encrypted with key ${idOf(oldKey)}, which is neither TRELLIS_ENCRYPTION_KEY nor one of TRELLIS_ENCRYPTION_KEYS_OLD`);
    } finally {
      await t.close();
    }
  });

  /** Runs `trellis credentials rotate` in this process (its own config from the environment); answers its output and exit code. */
  async function rotateCli(args: string[], env: Record<string, string>): Promise<{ output: string; exitCode: number }> {
    const saved = { ...process.env };
    Object.assign(process.env, { TRELLIS_ENV: 'test', DATABASE_URL: database.url, TRELLIS_ENCRYPTION_KEYS_OLD: '', LOG_LEVEL: 'silent', ...env });
    const out: string[] = [];
    const capture = (chunk: string | Uint8Array) => out.push(String(chunk)) > 0;
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    // A file run before this one in the same worker (test bundles) may have left a status behind.
    process.exitCode = 0;
    try {
      const program = new Command().exitOverride();
      registerCredentialsCommands(program, openDataSource);
      await program.parseAsync(['credentials', 'rotate', ...args], { from: 'user' });
      return { output: out.join(''), exitCode: Number(process.exitCode ?? 0) };
    } finally {
      process.exitCode = 0;
      stdout.mockRestore();
      stderr.mockRestore();
      process.env = saved;
    }
  }

  it('rotates in batches through the CLI command, reporting counts, and a second run changes nothing', async () => {
    const env = { TRELLIS_ENCRYPTION_KEY: newKeyValue, TRELLIS_ENCRYPTION_KEYS_OLD: oldKey };
    const first = await rotateCli(['--batch-size', '2'], env);
    expect(first.exitCode).toBe(0);
    expect(first.output).toContain('credentials: 2 re-encrypted so far\ncredentials: 4 re-encrypted so far\ncredentials: 5 re-encrypted so far\n');
    expect(first.output).toContain(
      `Current key: ${idOf(newKeyValue)}.\nCredentials: 5 re-encrypted, 1 already under the current key, 0 could not be read.\nPending OAuth2 sign-ins: 1 re-encrypted, 0 could not be read.\n`,
    );
    const second = await rotateCli([], env);
    expect(second.exitCode).toBe(0);
    expect(second.output).toContain(
      'Credentials: 0 re-encrypted, 6 already under the current key, 0 could not be read.\nPending OAuth2 sign-ins: 0 re-encrypted, 0 could not be read.',
    );
    await expect(rotateCli(['--batch-size', '0'], env)).rejects.toThrow('--batch-size must be a whole number from 1 to 10000, got "0"');
  });

  it('after rotation every secret (and the pending sign-in) opens with the new key alone', async () => {
    const t = await appWith({ TRELLIS_ENCRYPTION_KEY: newKeyValue });
    try {
      expect(await resolveAll(t, ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'])).toEqual({
        k1: 'secret-1',
        k2: 'secret-2',
        k3: 'secret-3',
        k4: 'secret-4',
        k5: 'secret-5',
        k6: 'secret-6',
      });
      const [state] = await t.dataSource.query('SELECT code_verifier, key_id FROM oauth_states WHERE state = $1', [pendingState]);
      expect(state.key_id).toBe(idOf(newKeyValue));
      expect(t.app.get(CryptoService).openVerifier(state.code_verifier, pendingState)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      await t.close();
    }
  });

  it('reports rows no configured key can read, and leaves them as they are', async () => {
    const t = await appWith({ TRELLIS_ENCRYPTION_KEY: newKeyValue });
    try {
      const lostKey = newKey();
      const lost = loadKeyring({ env: 'test', encryptionKey: lostKey, encryptionKeysOld: [], dataDir: '/nonexistent' }).keyring;
      const sealed = lost.encrypt(JSON.stringify({ key: 'secret-lost' }), JSON.stringify(['credential', ada.id, 'lost']));
      await t.dataSource.query("INSERT INTO credentials (user_id, name, provider, type, ciphertext, key_id) VALUES ($1, 'lost', 'http', 'api_key', $2, $3)", [
        ada.id,
        sealed.ciphertext,
        sealed.keyId,
      ]);
      const keyring = loadKeyring({ env: 'test', encryptionKey: newKeyValue, encryptionKeysOld: [oldKey], dataDir: '/nonexistent' }).keyring;
      const report = await rotateCredentials({
        credentials: new CredentialsRepository(t.dataSource),
        states: new OAuthStatesRepository(t.dataSource),
        keyring,
        batchSize: 10,
      });
      expect(report.credentials).toEqual({
        reencrypted: 0,
        changed: 0,
        alreadyCurrent: 6,
        failed: [
          {
            id: expect.any(String),
            user_id: ada.id,
            name: 'lost',
            key_id: idOf(lostKey),
            reason: `encrypted with key ${idOf(lostKey)}, which is neither TRELLIS_ENCRYPTION_KEY nor one of TRELLIS_ENCRYPTION_KEYS_OLD`,
          },
        ],
      });
      const [row] = await t.dataSource.query("SELECT ciphertext FROM credentials WHERE name = 'lost'");
      expect(row.ciphertext).toBe(sealed.ciphertext);
      const cli = await rotateCli([], { TRELLIS_ENCRYPTION_KEY: newKeyValue });
      expect(cli.exitCode).toBe(1);
      expect(cli.output).toContain('Credentials: 0 re-encrypted, 6 already under the current key, 1 could not be read.');
      expect(cli.output).toContain(`  cannot read "lost" of user ${ada.id} (`);
      expect(cli.output).toContain('Add the key that encrypted them to TRELLIS_ENCRYPTION_KEYS_OLD (comma-separated) and run this again');
      expect(cli.output).not.toContain('secret-lost');
    } finally {
      await t.close();
    }
  });
});
