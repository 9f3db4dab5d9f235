// Answer shapes of /health and /health/ready for the OpenAPI document.
import { apiSchema } from '../common/api-docs.dto.js';

export const HEALTH = apiSchema('Health', {
  type: 'object',
  required: ['status', 'role'],
  properties: { status: { type: 'string', enum: ['ok'] }, role: { type: 'string', enum: ['api', 'worker', 'all'] } },
});

export const READY = apiSchema('Readiness', {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      description: 'database, migrations, redis',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        properties: { ok: { type: 'boolean' }, ms: { type: 'integer' }, error: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
});
