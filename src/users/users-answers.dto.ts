// Answer shapes of /api/user and /api/admin/users for the OpenAPI document; users.dto.ts builds them.
import { apiSchema, nullable, pageOf, TIME } from '../common/api-docs.dto.js';

export const USER = apiSchema('User', {
  type: 'object',
  required: ['id', 'handle', 'role', 'timezone', 'notification_preferences', 'created_at'],
  properties: {
    id: { type: 'string' },
    handle: { type: 'string', example: 'ada' },
    email: nullable({ type: 'string' }),
    name: nullable({ type: 'string' }),
    role: { type: 'string', enum: ['admin', 'user'] },
    timezone: { type: 'string', example: 'Europe/Paris' },
    notification_preferences: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
      description: 'Notification kind -> channels (in_app, email, slack, webhook).',
    },
    created_at: TIME,
    updated_at: TIME,
  },
});

export const USER_PAGE = apiSchema('UserPage', pageOf(USER));

/** The new user and its first API key (NewApiKey, from the auth module's schemas; the secret shown once). */
export const CREATED_USER = apiSchema('CreatedUser', {
  type: 'object',
  required: ['user', 'api_key'],
  properties: { user: USER, api_key: { $ref: '#/components/schemas/NewApiKey' } },
});
