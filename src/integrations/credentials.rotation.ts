// Re-encrypts every stored secret (credentials, and the verifiers of pending OAuth2 sign-ins) under the
// current key, in batches. Idempotent: rows already under the current key are never touched, so a second
// run changes nothing. A row written meanwhile (a refresh, a new secret) is left as it is: every write
// already uses the current key.
import { credentialAad, oauthStateAad } from './crypto.service.js';
import type { CredentialsRepository, EncryptedRow } from './credentials.repository.js';
import { DecryptError, type Keyring } from './encryption.js';
import type { OAuthStatesRepository } from './oauth-states.repository.js';

export interface RotationFailure {
  /** Credential id, or `oauth_state` for a pending sign-in. */
  id: string;
  user_id: string;
  name: string;
  key_id: string;
  reason: string;
}

export interface RotationCounts {
  reencrypted: number;
  /** Rows that changed while being rotated (already written under the current key). */
  changed: number;
  failed: RotationFailure[];
}

export interface RotationReport {
  keyId: string;
  credentials: RotationCounts & { alreadyCurrent: number };
  oauthStates: RotationCounts;
}

export interface RotationOptions {
  credentials: CredentialsRepository;
  states: OAuthStatesRepository;
  keyring: Keyring;
  batchSize?: number;
  /** Called after each batch, for progress lines. */
  onBatch?: (what: 'credentials' | 'oauth_states', counts: RotationCounts) => void;
}

export async function rotateCredentials(options: RotationOptions): Promise<RotationReport> {
  const { credentials, states, keyring } = options;
  const batchSize = options.batchSize ?? 200;
  const alreadyCurrent = await credentials.countEncryptedUnder(keyring.currentKeyId);
  const credentialCounts = await rotateTable(
    (after) => credentials.encryptedOtherwise(keyring.currentKeyId, after, batchSize),
    (row) => credentialAad(row.user_id, row.name),
    (row, ciphertext) => credentials.reencrypt(row.id, row.ciphertext, ciphertext, keyring.currentKeyId),
    keyring,
    (counts) => options.onBatch?.('credentials', counts),
  );
  const stateCounts = await rotateTable(
    (after) => states.encryptedOtherwise(keyring.currentKeyId, after, batchSize),
    (row) => oauthStateAad(row.id),
    (row, ciphertext) => states.reencrypt(row.id, row.ciphertext, ciphertext, keyring.currentKeyId),
    keyring,
    (counts) => options.onBatch?.('oauth_states', counts),
  );
  return { keyId: keyring.currentKeyId, credentials: { ...credentialCounts, alreadyCurrent }, oauthStates: stateCounts };
}

async function rotateTable(
  page: (after: string | null) => Promise<EncryptedRow[]>,
  aad: (row: EncryptedRow) => string,
  swap: (row: EncryptedRow, ciphertext: string) => Promise<boolean>,
  keyring: Keyring,
  onBatch: (counts: RotationCounts) => void,
): Promise<RotationCounts> {
  const counts: RotationCounts = { reencrypted: 0, changed: 0, failed: [] };
  let after: string | null = null;
  for (;;) {
    const rows = await page(after);
    if (!rows.length) return counts;
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = keyring.decrypt(row.ciphertext, aad(row));
      } catch (error) {
        if (!(error instanceof DecryptError)) throw error;
        counts.failed.push({ id: row.id, user_id: row.user_id, name: row.name, key_id: row.key_id, reason: error.message });
        continue;
      }
      const sealed = keyring.encrypt(plaintext, aad(row));
      if (await swap(row, sealed.ciphertext)) counts.reencrypted++;
      else counts.changed++;
    }
    after = rows[rows.length - 1]!.id;
    onBatch(counts);
  }
}
