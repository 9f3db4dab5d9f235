// Where the credential keys come from: TRELLIS_ENCRYPTION_KEY (+ TRELLIS_ENCRYPTION_KEYS_OLD), or, in
// development and test only, a key generated once into <dataDir>/encryption.key (mode 0600) and reused.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config.schema.js';
import { decodeKey, Keyring } from './encryption.js';

/** The environments in which a missing key may be generated. */
export const KEY_GENERATING_ENVS: readonly string[] = ['development', 'test'];
export const KEY_FILE_NAME = 'encryption.key';

export interface LoadedKeyring {
  keyring: Keyring;
  /** `environment`: TRELLIS_ENCRYPTION_KEY; `file`: an earlier generated key; `generated`: made just now. */
  source: 'environment' | 'file' | 'generated';
  file?: string;
  /** Set when the key file is readable by others than its owner. */
  warning?: string;
}

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

export function loadKeyring(config: Pick<AppConfig, 'env' | 'encryptionKey' | 'encryptionKeysOld' | 'dataDir'>): LoadedKeyring {
  const old = config.encryptionKeysOld.map((key, i) => decodeOrFail(key, `TRELLIS_ENCRYPTION_KEYS_OLD (key ${i + 1})`));
  if (config.encryptionKey) {
    return { keyring: new Keyring(decodeOrFail(config.encryptionKey, 'TRELLIS_ENCRYPTION_KEY'), old), source: 'environment' };
  }
  if (!KEY_GENERATING_ENVS.includes(config.env)) {
    throw new EncryptionKeyError(
      `TRELLIS_ENCRYPTION_KEY is required when TRELLIS_ENV=${config.env} (a key is generated only in development and test). ` +
        'Make one with: openssl rand -base64 32, keep it in your secret store, and set TRELLIS_ENCRYPTION_KEY.',
    );
  }
  const file = join(config.dataDir, KEY_FILE_NAME);
  let source: LoadedKeyring['source'] = 'file';
  if (!existsSync(file)) source = generateKeyFile(config.dataDir, file) ? 'generated' : 'file';
  const text = readFileSync(file, 'utf8').trim();
  const key = decodeOrFail(text, file);
  const mode = statSync(file).mode & 0o777;
  const warning = mode & 0o077 ? `${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}` : undefined;
  return { keyring: new Keyring(key, old), source, file, ...(warning ? { warning } : {}) };
}

/**
 * Writes a new key beside the final name and links it into place, so two processes starting at once
 * never read a half-written file: the loser of the link race keeps the winner's key. Answers whether
 * this call made the key.
 */
function generateKeyFile(dataDir: string, file: string): boolean {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function decodeOrFail(text: string, where: string): Buffer {
  try {
    return decodeKey(text);
  } catch (error) {
    throw new EncryptionKeyError(`${where}: ${(error as Error).message}`);
  }
}
