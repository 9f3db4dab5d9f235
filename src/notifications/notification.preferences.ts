// Which of a user's channels a notice of a kind goes to (runtime.md "Notifications"): the user's own choice
// for that kind, else config `notifications.default_preferences`, else the built-in default: every kind but
// AGENT_RUN to in_app (and email when SMTP is configured), AGENT_RUN nowhere. Pure.
import { NOTIFICATION_CHANNEL_TYPES, type NotificationChannelType, type NotificationKind } from '../users/notification-preferences.types.js';

export type Preferences = Record<string, readonly string[]>;

export interface PreferenceSources {
  /** users.notification_preferences: kind -> channels; kinds left out get the defaults. */
  user: Preferences | null | undefined;
  /** config notifications.default_preferences. */
  configured: Preferences;
  /** An SMTP credential is named in config (notifications.smtp) or SMTP_URL is set. */
  smtpConfigured: boolean;
}

export function builtInChannels(kind: NotificationKind, smtpConfigured: boolean): NotificationChannelType[] {
  if (kind === 'AGENT_RUN') return [];
  return smtpConfigured ? ['in_app', 'email'] : ['in_app'];
}

/** The channels for `kind`, each once, in the order in_app, email, slack, webhook. */
export function channelsFor(kind: NotificationKind, sources: PreferenceSources): NotificationChannelType[] {
  const chosen = sources.user?.[kind] ?? sources.configured[kind] ?? builtInChannels(kind, sources.smtpConfigured);
  return NOTIFICATION_CHANNEL_TYPES.filter((channel) => chosen.includes(channel));
}
