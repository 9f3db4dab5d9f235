import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { keyIdOf } from './encryption.js';
import { EncryptionKeyError, loadKeyring } from './encryption-key.js';

describe('loadKeyring', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trellis-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (env: string, encryptionKey: string | null = null, encryptionKeysOld: string[] = []) => ({
    env,
    encryptionKey,
    encryptionKeysOld,
    dataDir: join(dir, 'data'),
  });

  it('uses TRELLIS_ENCRYPTION_KEY and the old keys, writing no file', () => {
    const key = randomBytes(32);
    const old = randomBytes(32);
    const loaded = loadKeyring(config('production', key.toString('base64'), [old.toString('base64')]));
    expect(loaded.source).toBe('environment');
    expect(loaded.keyring.currentKeyId).toBe(keyIdOf(key));
    expect(loaded.keyring.knows(keyIdOf(old))).toBe(true);
    expect(() => statSync(join(dir, 'data'))).toThrow();
  });

  it.each(['development', 'test'])('in %s, generates a key once into <dataDir>/encryption.key (mode 0600) and reuses it', (env) => {
    const first = loadKeyring(config(env));
    expect(first.source).toBe('generated');
    expect(first.file).toBe(join(dir, 'data', 'encryption.key'));
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(first.file!, 'utf8').trim(), 'base64')).toHaveLength(32);
    const second = loadKeyring(config(env));
    expect(second.source).toBe('file');
    expect(second.keyring.currentKeyId).toBe(first.keyring.currentKeyId);
    expect(second.warning).toBeUndefined();
  });

  it.each(['production', 'staging'])('refuses to go on without a key in %s', (env) => {
    expect(() => loadKeyring(config(env))).toThrow(EncryptionKeyError);
    expect(() => loadKeyring(config(env))).toThrow(
      `TRELLIS_ENCRYPTION_KEY is required when TRELLIS_ENV=${env} (a key is generated only in development and test). Make one with: openssl rand -base64 32, keep it in your secret store, and set TRELLIS_ENCRYPTION_KEY.`,
    );
  });

  it('names a damaged key file, and warns about one others can read', () => {
    const file = join(dir, 'data', 'encryption.key');
    loadKeyring(config('development'));
    chmodSync(file, 0o644);
    expect(loadKeyring(config('development')).warning).toBe(`${file} is readable by other users (mode 644); run: chmod 600 ${file}`);
    writeFileSync(file, 'not a key');
    expect(() => loadKeyring(config('development'))).toThrow(`${file}: an encryption key must be 32 bytes in base64`);
  });

  it('names a bad old key by its position', () => {
    expect(() => loadKeyring(config('test', randomBytes(32).toString('base64'), [randomBytes(32).toString('base64'), 'short']))).toThrow(
      'TRELLIS_ENCRYPTION_KEYS_OLD (key 2): an encryption key must be 32 bytes',
    );
  });
});
