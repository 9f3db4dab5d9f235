import { Module } from '@nestjs/common';
import { CredentialsController } from './credentials.controller.js';
import { IntegrationsModule } from './integrations.module.js';
import { OAuthController } from './oauth2.controller.js';
import { OAuthService } from './oauth2.service.js';

/** The api role's part: /api/integrations/credentials and the OAuth2 sign-in. */
@Module({
  imports: [IntegrationsModule],
  controllers: [CredentialsController, OAuthController],
  providers: [OAuthService],
})
export class IntegrationsHttpModule {}
