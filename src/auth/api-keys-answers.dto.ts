// Answer shapes of /api/user/api-keys for the OpenAPI document; api-keys.dto.ts builds them.
import { apiSchema, nullable, pageOf, TIME, type SchemaObject } from '../common/api-docs.dto.js';

const KEY_PROPERTIES: Record<string, SchemaObject> = {
  id: { type: 'string' },
  name: { type: 'string' },
  prefix: { type: 'string', description: 'The first characters of the key, to recognise it.', example: 'trl_a1b2' },
  scopes: { type: 'array', items: { type: 'string' }, example: ['graphs:read', 'executions:run'] },
  created_at: TIME,
  last_used_at: nullable(TIME),
  expires_at: nullable(TIME),
  revoked_at: nullable(TIME),
};
const KEY_REQUIRED = ['id', 'name', 'prefix', 'scopes', 'created_at'];

export const API_KEY = apiSchema('ApiKey', { type: 'object', required: KEY_REQUIRED, properties: KEY_PROPERTIES });

export const API_KEY_PAGE = apiSchema('ApiKeyPage', pageOf(API_KEY));

export const NEW_API_KEY = apiSchema('NewApiKey', {
  type: 'object',
  required: [...KEY_REQUIRED, 'key'],
  properties: { ...KEY_PROPERTIES, key: { type: 'string', description: 'The secret: shown in this answer only.', example: 'trl_...' } },
});
