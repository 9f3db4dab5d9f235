// Where a delivery goes, resolved when it is attempted (so a rotated secret is picked up by the next
// retry): the SMTP server of `notifications.smtp` (or SMTP_URL), a named channel's URL or credential from
// config/notifications.yaml, or a user's own credentials `notifications-slack` / `notifications-webhook`
// (secret_url) and `notifications-webhook-secret` (webhook_secret, signs the body).
import { Inject, Injectable } from '@nestjs/common';
import type { BlockDefinition, CredentialFieldSpec, ResolvedCredential } from '../blocks/block.types.js';
import { OPERATOR } from '../blocks/credential-policy.js';
import { smtpSettings, type SmtpSettings } from '../blocks/library/communication/smtp-settings.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, NotificationChannelConfig } from '../config/config.schema.js';
import { systemDefaultName } from '../config/credentials.loader.js';
import { CredentialsResolver } from '../integrations/credentials.resolver.js';
import { channelUnusable } from './notifications.errors.js';

export const USER_SLACK_CREDENTIAL = 'notifications-slack';
export const USER_WEBHOOK_CREDENTIAL = 'notifications-webhook';
export const USER_WEBHOOK_SECRET_CREDENTIAL = 'notifications-webhook-secret';

export interface Smtp {
  settings: SmtpSettings;
  name: string;
}

export interface HttpTarget {
  url: string;
  /** Signs a webhook body; null sends it unsigned. */
  secret: string | null;
}

@Injectable()
export class NotificationTargets {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly resolver: CredentialsResolver,
  ) {}

  /** True when email can be sent: `notifications.smtp` names a credential, or SMTP_URL is set. */
  smtpConfigured(): boolean {
    return Boolean(this.config.notifications.smtp || this.config.credentials[systemDefaultName('smtp')]?.fields.url);
  }

  namedChannel(name: string): NotificationChannelConfig {
    const channel = this.config.notificationChannels[name];
    if (!channel) throw channelUnusable(`No channel "${name}" is defined in config/notifications.yaml; add it there or remove it from the agent's notify:.`);
    return channel;
  }

  async smtp(): Promise<Smtp> {
    const name = this.config.notifications.smtp;
    const spec: CredentialFieldSpec = { provider: 'smtp', types: ['smtp'], systemDefaultEnv: 'SMTP_URL' };
    const credential = await this.one('smtp', spec, name, null, 'set notifications.smtp to an smtp credential of config/credentials.yaml, or set SMTP_URL');
    try {
      return { settings: smtpSettings(credential, 'notifications'), name: credential.name };
    } catch (error) {
      throw channelUnusable((error as Error).message);
    }
  }

  /** A named slack or webhook channel: `url`, or a credential (secret_url: the URL; webhook_secret: signs `url`). */
  async namedHttp(name: string, channel: NotificationChannelConfig): Promise<HttpTarget> {
    if (!channel.credential) return { url: channel.url ?? '', secret: null };
    const types = channel.type === 'webhook' ? (['secret_url', 'webhook_secret'] as const) : (['secret_url'] as const);
    const credential = await this.one(
      'channel',
      { provider: channel.type, types: [...types] },
      channel.credential,
      null,
      `define it in config/credentials.yaml (channel "${name}")`,
    );
    if (credential.type === 'webhook_secret') {
      if (!channel.url)
        throw channelUnusable(
          `Channel "${name}" names the webhook_secret "${channel.credential}" but no url; add url: to the channel in config/notifications.yaml.`,
        );
      return { url: channel.url, secret: credential.fields.secret ?? null };
    }
    return { url: credential.fields.url ?? '', secret: null };
  }

  /** The user's own Slack incoming webhook (credential `notifications-slack`). */
  async userSlack(userId: string): Promise<HttpTarget> {
    const credential = await this.one(
      'slack',
      { provider: 'slack', types: ['secret_url'] },
      USER_SLACK_CREDENTIAL,
      userId,
      'store your Slack incoming-webhook URL as a secret_url credential of that name',
    );
    return { url: credential.fields.url ?? '', secret: null };
  }

  /** The user's own webhook (credential `notifications-webhook`), signed with `notifications-webhook-secret` when it exists. */
  async userWebhook(userId: string): Promise<HttpTarget> {
    const specs: Record<string, CredentialFieldSpec> = {
      url: { provider: 'webhook', types: ['secret_url'] },
      secret: { provider: 'webhook', types: ['webhook_secret'], optional: true },
    };
    const names = { url: USER_WEBHOOK_CREDENTIAL, secret: USER_WEBHOOK_SECRET_CREDENTIAL };
    const { credentials, problems } = await this.resolver.resolve({ block: credentialBlock(specs), names, userId });
    if (!credentials.url) {
      const why = problems.filter((p) => p.pointer === '/credentials/url').map((p) => p.message.replace(/^url: /, ''));
      throw channelUnusable(
        `Your webhook channel cannot be used: ${why.join('; ') || 'no URL'}. Store the URL as a secret_url credential named "${USER_WEBHOOK_CREDENTIAL}".`,
      );
    }
    return { url: credentials.url.fields.url ?? '', secret: credentials.secret?.fields.secret ?? null };
  }

  private async one(field: string, spec: CredentialFieldSpec, name: string | undefined, userId: string | null, hint: string): Promise<ResolvedCredential> {
    // Without a user, the operator's own configuration asks (config/notifications.yaml, notifications.smtp).
    const asker = userId === null ? { asker: OPERATOR } : {};
    const { credentials, problems } = await this.resolver.resolve({
      block: credentialBlock({ [field]: spec }),
      names: name ? { [field]: name } : {},
      userId,
      ...asker,
    });
    const credential = credentials[field];
    if (!credential || problems.length) {
      const why = problems.map((p) => p.message.replace(/^[a-z]+: /, '')).join('; ') || `no credential${name ? ` "${name}"` : ''}`;
      throw channelUnusable(`The notification channel cannot be used: ${why}. To fix: ${hint}.`);
    }
    return credential;
  }
}

/** A stand-in block that only declares credential fields, so the execution credential chain resolves them. */
function credentialBlock(credentials: Record<string, CredentialFieldSpec>): BlockDefinition {
  return {
    id: 'notifications',
    description: 'notification channels',
    category: 'communication',
    inputSchema: { type: 'object', properties: {} },
    outputSchema: { type: 'object', properties: {} },
    credentials,
    cost: 0,
    // Never run: only its credential fields are read.
    run: async function* () {},
  };
}
