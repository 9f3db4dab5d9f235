// The OAuth2 providers of config (integrations.oauth2), by name: all that sign-in (OAuthService) and token
// refresh (OAuthRefresher) need of the configuration, so neither takes the whole AppConfig.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { oauthProvider, type OAuthProvider } from './oauth2.client.js';

@Injectable()
export class OAuthProviders {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'integrations'>) {}

  /** The provider's settings, checked when asked for (404 listing the configured ones when unknown). */
  get(name: string): OAuthProvider {
    return oauthProvider(this.config, name);
  }
}
