// The credential cipher of a running process: the key ring loaded once at start-up (a missing key
// outside development and test stops the start), and the associated data that binds each ciphertext
// to its row.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { Keyring, Sealed } from './encryption.js';
import { loadKeyring } from './encryption-key.js';
import type { SecretFields } from './credential-types.js';

/** Associated data of a credential's ciphertext: its owner and name. */
export function credentialAad(userId: string, name: string): string {
  return JSON.stringify(['credential', userId, name]);
}

/** Associated data of a pending OAuth2 flow's encrypted code verifier. */
export function oauthStateAad(state: string): string {
  return JSON.stringify(['oauth_state', state]);
}

@Injectable()
export class CryptoService {
  readonly keyring: Keyring;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LOGGER) logger: Logger) {
    const log = logger.child({ component: 'CryptoService' });
    const loaded = loadKeyring(config);
    this.keyring = loaded.keyring;
    if (loaded.source === 'generated')
      log.warn({ file: loaded.file }, `generated a credential encryption key in ${loaded.file} (development only; set TRELLIS_ENCRYPTION_KEY in production)`);
    if (loaded.warning) log.warn({ file: loaded.file }, loaded.warning);
  }

  get currentKeyId(): string {
    return this.keyring.currentKeyId;
  }

  sealFields(fields: SecretFields, userId: string, name: string): Sealed {
    return this.keyring.encrypt(JSON.stringify(fields), credentialAad(userId, name));
  }

  /** Throws DecryptError when no known key made it, or it was altered. */
  openFields(ciphertext: string, userId: string, name: string): SecretFields {
    return JSON.parse(this.keyring.decrypt(ciphertext, credentialAad(userId, name))) as SecretFields;
  }

  sealVerifier(verifier: string, state: string): Sealed {
    return this.keyring.encrypt(verifier, oauthStateAad(state));
  }

  openVerifier(ciphertext: string, state: string): string {
    return this.keyring.decrypt(ciphertext, oauthStateAad(state));
  }
}
