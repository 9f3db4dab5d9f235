// AES-256-GCM over a key ring: one current key encrypts, older keys still decrypt. A ciphertext is
// `v1.<key id>.<iv>.<tag>.<data>` (base64url), so it says which key made it; the key id is a short hash of
// the key. Each ciphertext is bound to what it belongs to (the associated data, e.g. the credential's
// owner and name), so one row's ciphertext cannot be pasted into another row.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A short, stable fingerprint of a key (not reversible; 64 bits of SHA-256). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('trellis-credential-key:').update(key).digest('hex').slice(0, 16);
}

export function decodeKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`an encryption key must be ${KEY_BYTES} bytes in base64 (make one with: openssl rand -base64 32)`);
  return key;
}

export type DecryptFailure = 'malformed' | 'unknown_key' | 'tampered';

export class DecryptError extends Error {
  constructor(
    readonly reason: DecryptFailure,
    readonly keyId: string | null,
  ) {
    super(
      reason === 'unknown_key'
        ? `encrypted with key ${keyId}, which is neither TRELLIS_ENCRYPTION_KEY nor one of TRELLIS_ENCRYPTION_KEYS_OLD`
        : reason === 'tampered'
          ? `the ciphertext (key ${keyId}) failed its authentication check: it was altered, or belongs to another record`
          : 'the ciphertext is not in the v1 format',
    );
    this.name = 'DecryptError';
  }
}

export interface Sealed {
  ciphertext: string;
  keyId: string;
}

export class Keyring {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  /** `current` encrypts; `old` keys only decrypt. Keys are raw 32-byte buffers. */
  constructor(current: Buffer, old: readonly Buffer[] = []) {
    if (current.length !== KEY_BYTES) throw new Error(`the encryption key must be ${KEY_BYTES} bytes`);
    this.currentKeyId = keyIdOf(current);
    for (const key of old) {
      if (key.length !== KEY_BYTES) throw new Error(`every old encryption key must be ${KEY_BYTES} bytes`);
      this.keys.set(keyIdOf(key), key);
    }
    this.keys.set(this.currentKeyId, current);
  }

  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Encrypts under the current key with a fresh random IV. */
  encrypt(plaintext: string, associatedData: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    const ciphertext = [VERSION, this.currentKeyId, b64(iv), b64(tag), b64(data)].join('.');
    return { ciphertext, keyId: this.currentKeyId };
  }

  /** Decrypts with whichever known key made it; throws DecryptError when it cannot. */
  decrypt(ciphertext: string, associatedData: string): string {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new DecryptError('malformed', null);
    const [, keyId, ivText, tagText, dataText] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new DecryptError('unknown_key', keyId);
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptError('malformed', keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptError('tampered', keyId);
    }
  }

  /** The key id a ciphertext names (or null when it is not ours). */
  static keyIdOfCiphertext(ciphertext: string): string | null {
    const parts = ciphertext.split('.');
    return parts.length === 5 && parts[0] === VERSION ? parts[1]! : null;
  }
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64url');
}
