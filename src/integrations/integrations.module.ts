import { Global, Module } from '@nestjs/common';
import { CREDENTIAL_RESOLVER } from '../blocks/credential-resolver.js';
import { CredentialsRepository } from './credentials.repository.js';
import { CredentialsResolver } from './credentials.resolver.js';
import { CredentialsService } from './credentials.service.js';
import { CryptoService } from './crypto.service.js';
import { OAuthStatesRepository } from './oauth-states.repository.js';
import { OAuthRefresher } from './oauth2.refresher.js';

/**
 * Credentials for every role: encryption (the key is loaded at start-up: a missing one outside development
 * and test stops the start), storage, OAuth2 refresh, and resolution for block runs (CREDENTIAL_RESOLVER).
 * Global: blocks (below integrations in the layers) inject CREDENTIAL_RESOLVER without importing this module.
 */
@Global()
@Module({
  providers: [
    CryptoService,
    CredentialsRepository,
    OAuthStatesRepository,
    CredentialsService,
    OAuthRefresher,
    CredentialsResolver,
    { provide: CREDENTIAL_RESOLVER, useExisting: CredentialsResolver },
  ],
  exports: [CryptoService, CredentialsService, OAuthStatesRepository, CredentialsResolver, CREDENTIAL_RESOLVER],
})
export class IntegrationsModule {}
