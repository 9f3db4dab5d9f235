import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey, looksLikeApiKey, sameSecret } from './api-key.format.js';

describe('API key format', () => {
  it('makes trl_ keys of 32 random bytes in base64url, with their SHA-256 hash and a display prefix', () => {
    const made = generateApiKey();
    expect(made.key).toMatch(/^trl_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(made.key.slice(4), 'base64url')).toHaveLength(32);
    expect(made.hash).toBe(createHash('sha256').update(made.key).digest('hex'));
    expect(made.prefix).toBe(made.key.slice(0, 12));
    expect(isWellFormedApiKey(made.key)).toBe(true);
  });

  it('never makes the same key twice', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it('tells keys from other bearer values and refuses malformed keys', () => {
    expect(looksLikeApiKey('trl_abc')).toBe(true);
    expect(looksLikeApiKey('eyJhbGciOi.x.y')).toBe(false);
    expect(isWellFormedApiKey('trl_short')).toBe(false);
    expect(isWellFormedApiKey(`trl_${'a'.repeat(42)}!`)).toBe(false);
  });

  it('hashes deterministically and shows only the prefix', () => {
    expect(hashApiKey('trl_x')).toBe(hashApiKey('trl_x'));
    expect(hashApiKey('trl_x')).not.toBe(hashApiKey('trl_y'));
    expect(displayPrefix('trl_abcdefghijklmnop')).toBe('trl_abcdefgh');
  });

  it('compares configured secrets whatever their lengths', () => {
    expect(sameSecret('admin-secret', 'admin-secret')).toBe(true);
    expect(sameSecret('admin-secret', 'admin-secreT')).toBe(false);
    expect(sameSecret('short', 'a much longer secret')).toBe(false);
  });
});
