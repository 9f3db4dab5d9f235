// The shape of an API key: `trl_` + 32 random bytes in base64url. Only its SHA-256 hash is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'trl_';
/** `trl_` and 43+ base64url characters (32 random bytes). */
const API_KEY_PATTERN = /^trl_[A-Za-z0-9_-]{43,200}$/;
/** Characters kept for display: `trl_` and the first 8 of the secret. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 8;

export interface NewApiKey {
  /** The secret, shown once. */
  key: string;
  hash: string;
  prefix: string;
}

export function generateApiKey(): NewApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: displayPrefix(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_LENGTH);
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

export function isWellFormedApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/** Compares a presented secret with a configured one in constant time (hashing first evens the lengths). */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
