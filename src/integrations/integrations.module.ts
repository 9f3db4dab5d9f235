import { Global, Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module.js';
import { CREDENTIAL_RESOLVER } from '../blocks/credential-resolver.js';
import { CredentialsRepository } from './credentials.repository.js';
import { CredentialsResolver } from './credentials.resolver.js';
import { CredentialsService } from './credentials.service.js';
import { CryptoService } from './crypto.service.js';
import { IntegrationBlocksRepository } from './integration-blocks.repository.js';
import { IntegrationBlocksService } from './integration-blocks.service.js';
import { OAuthStatesRepository } from './oauth-states.repository.js';
import { OAuthProviders } from './oauth2-providers.service.js';
import { OAuthRefresher } from './oauth2.refresher.js';

/**
 * Credentials for every role: encryption (the key is loaded at start-up: a missing one outside development
 * and test stops the start), storage, OAuth2 refresh, and resolution for block runs (CREDENTIAL_RESOLVER).
 * Global: blocks (below integrations in the layers) inject CREDENTIAL_RESOLVER without importing this module.
 * Also the integrations' blocks at their recorded versions in every process (IntegrationBlocksService).
 */
@Global()
@Module({
  imports: [BlocksModule],
  providers: [
    IntegrationBlocksRepository,
    IntegrationBlocksService,
    CryptoService,
    CredentialsRepository,
    OAuthStatesRepository,
    CredentialsService,
    OAuthProviders,
    OAuthRefresher,
    CredentialsResolver,
    { provide: CREDENTIAL_RESOLVER, useExisting: CredentialsResolver },
  ],
  exports: [IntegrationBlocksService, CryptoService, CredentialsService, OAuthStatesRepository, OAuthProviders, CredentialsResolver, CREDENTIAL_RESOLVER],
})
export class IntegrationsModule {}
