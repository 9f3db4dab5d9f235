// Answer shapes of /api/notifications for the OpenAPI document; notifications.dto.ts builds them.
import { ANY_OBJECT, apiSchema, nullable, pageOf, TIME } from '../common/api-docs.dto.js';
import { NOTIFICATION_KINDS } from '../users/notification-preferences.types.js';

export const NOTIFICATION = apiSchema('Notification', {
  type: 'object',
  required: ['id', 'kind', 'title', 'body', 'data', 'read', 'created_at'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...NOTIFICATION_KINDS] },
    title: { type: 'string' },
    body: { type: 'string' },
    data: ANY_OBJECT,
    read: { type: 'boolean' },
    read_at: nullable(TIME),
    created_at: TIME,
  },
});

export const NOTIFICATION_PAGE = apiSchema('NotificationPage', pageOf(NOTIFICATION));

export const BROADCAST_ANSWER = apiSchema('BroadcastAnswer', {
  type: 'object',
  required: ['kind', 'recipients'],
  properties: { kind: { type: 'string', enum: ['SYSTEM'] }, recipients: { type: 'integer' } },
});
