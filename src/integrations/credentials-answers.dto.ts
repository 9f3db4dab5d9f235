// Answer shapes of /api/integrations for the OpenAPI document: metadata only, never a secret.
import { apiSchema, nullable, pageOf, TIME } from '../common/api-docs.dto.js';
import { CREDENTIAL_TYPES } from './credential.entity.js';

export const CREDENTIAL = apiSchema('Credential', {
  type: 'object',
  required: ['name', 'provider', 'type', 'metadata', 'hosts', 'version', 'created_at'],
  properties: {
    name: { type: 'string', example: 'team-openai' },
    provider: { type: 'string', example: 'openai' },
    type: { type: 'string', enum: [...CREDENTIAL_TYPES] },
    metadata: { type: 'object', additionalProperties: true, description: "Non-secret facts: an OAuth2 credential's scopes and expiry." },
    hosts: nullable({ type: 'array', items: { type: 'string' }, description: 'Where it may be sent; null: wherever its block sends it.' }),
    version: { type: 'integer', description: 'Increases with every change of the secret.' },
    created_at: TIME,
    updated_at: TIME,
  },
});

export const CREDENTIAL_PAGE = apiSchema('CredentialPage', pageOf(CREDENTIAL));

export const OAUTH_LOGIN = apiSchema('OAuthLogin', {
  type: 'object',
  required: ['login_url', 'expires_at'],
  properties: { login_url: { type: 'string', format: 'uri', description: 'Open it in a browser.' }, expires_at: TIME },
});
