import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { decodeKey, DecryptError, keyIdOf, Keyring } from './encryption.js';

const key = () => randomBytes(32);

function decryptError(run: () => unknown): DecryptError {
  try {
    run();
  } catch (error) {
    if (error instanceof DecryptError) return error;
    throw error;
  }
  throw new Error('expected a DecryptError');
}

describe('Keyring (AES-256-GCM)', () => {
  const current = key();
  const ring = new Keyring(current);

  it('round-trips text, bound to its associated data, recording the key id', () => {
    const sealed = ring.encrypt('{"key":"sk-1"}', 'row-1');
    expect(sealed.keyId).toBe(keyIdOf(current));
    expect(sealed.ciphertext.split('.')).toHaveLength(5);
    expect(sealed.ciphertext.startsWith(`v1.${sealed.keyId}.`)).toBe(true);
    expect(sealed.ciphertext).not.toContain('sk-1');
    expect(ring.decrypt(sealed.ciphertext, 'row-1')).toBe('{"key":"sk-1"}');
    expect(Keyring.keyIdOfCiphertext(sealed.ciphertext)).toBe(sealed.keyId);
    expect(Keyring.keyIdOfCiphertext('plain')).toBeNull();
  });

  it('uses a fresh random 12-byte IV for every encryption', () => {
    const a = ring.encrypt('same', 'aad').ciphertext.split('.');
    const b = ring.encrypt('same', 'aad').ciphertext.split('.');
    expect(Buffer.from(a[2]!, 'base64url')).toHaveLength(12);
    expect(a[2]).not.toBe(b[2]);
    expect(a[4]).not.toBe(b[4]);
  });

  it('checks the auth tag: altered data, tag or IV, or other associated data, do not decrypt', () => {
    const parts = ring.encrypt('secret text', 'row-1').ciphertext.split('.');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    for (const index of [2, 3, 4]) {
      const altered = [...parts];
      altered[index] = flip(altered[index]!);
      expect(decryptError(() => ring.decrypt(altered.join('.'), 'row-1')).reason).toBe('tampered');
    }
    const error = decryptError(() => ring.decrypt(parts.join('.'), 'row-2'));
    expect(error.reason).toBe('tampered');
    expect(error.message).toBe(`the ciphertext (key ${keyIdOf(current)}) failed its authentication check: it was altered, or belongs to another record`);
    expect(error.message).not.toContain('secret text');
  });

  it('decrypts with old keys, encrypts only with the current one', () => {
    const old = key();
    const before = new Keyring(old).encrypt('from before', 'aad');
    const rotated = new Keyring(current, [old]);
    expect(rotated.knows(keyIdOf(old))).toBe(true);
    expect(rotated.decrypt(before.ciphertext, 'aad')).toBe('from before');
    expect(rotated.encrypt('new', 'aad').keyId).toBe(keyIdOf(current));
  });

  it('names an unknown key, and refuses what is not its format', () => {
    const stranger = new Keyring(key()).encrypt('x', 'aad');
    const unknown = decryptError(() => ring.decrypt(stranger.ciphertext, 'aad'));
    expect(unknown).toMatchObject({ reason: 'unknown_key', keyId: stranger.keyId });
    expect(unknown.message).toBe(`encrypted with key ${stranger.keyId}, which is neither TRELLIS_ENCRYPTION_KEY nor one of TRELLIS_ENCRYPTION_KEYS_OLD`);
    for (const bad of ['', 'v1.a.b.c', 'v2.a.b.c.d', `v1.${keyIdOf(current)}.AAAA.AAAA.AAAA`]) {
      expect(decryptError(() => ring.decrypt(bad, 'aad')).reason).toBe('malformed');
    }
  });

  it('makes short, stable key ids and refuses keys that are not 32 bytes', () => {
    const k = key();
    expect(keyIdOf(k)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(Buffer.from(k))).toBe(keyIdOf(k));
    expect(keyIdOf(key())).not.toBe(keyIdOf(k));
    expect(decodeKey(k.toString('base64')).equals(k)).toBe(true);
    expect(() => decodeKey(randomBytes(16).toString('base64'))).toThrow(
      'an encryption key must be 32 bytes in base64 (make one with: openssl rand -base64 32)',
    );
    expect(() => new Keyring(randomBytes(31))).toThrow('the encryption key must be 32 bytes');
    expect(() => new Keyring(key(), [randomBytes(8)])).toThrow('every old encryption key must be 32 bytes');
  });
});
