// The vocabulary of a user's notification preferences (users.notification_preferences: kind -> channels). It
// lives with users, who store and validate the preferences; notifications (above users) use the same lists
// for their tables' CHECKs and for delivery.

export const NOTIFICATION_KINDS = ['AGENT_RUN', 'EXECUTION_FAILED', 'LOW_BALANCE', 'ZERO_BALANCE', 'SYSTEM', 'REVIEW_REQUESTED'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_CHANNEL_TYPES = ['in_app', 'email', 'slack', 'webhook'] as const;
export type NotificationChannelType = (typeof NOTIFICATION_CHANNEL_TYPES)[number];
