// Answer shapes and headers of /webhooks for the OpenAPI document (webhooks.service.ts and
// github-webhooks.service.ts make the answers; webhook-request.ts checks the signature headers).
import type { ApiHeaderOptions } from '@nestjs/swagger';
import { apiSchema, nullable } from '../../common/api-docs.dto.js';

export const WEBHOOK_ACCEPTED = apiSchema('WebhookAccepted', {
  type: 'object',
  required: ['execution_id'],
  properties: { execution_id: { type: 'string' }, status: { type: 'string', description: 'With ?wait=, when the execution has not ended in time.' } },
  example: { execution_id: '0192...' },
});

export const WEBHOOK_FINISHED = apiSchema('WebhookFinished', {
  type: 'object',
  required: ['execution_id', 'status', 'outputs', 'error'],
  properties: {
    execution_id: { type: 'string' },
    status: { type: 'string' },
    outputs: { type: 'object', additionalProperties: { type: 'array', items: {} } },
    error: nullable({ type: 'object', additionalProperties: true }),
  },
});

export const GITHUB_ACCEPTED = apiSchema('GithubAccepted', {
  type: 'object',
  properties: {
    execution_ids: { type: 'array', items: { type: 'string' }, description: 'One per trigger.github node the event matched.' },
    ok: { type: 'boolean', description: 'A ping.' },
    event: { type: 'string' },
  },
});

export const SIGNATURE_HEADERS: ApiHeaderOptions[] = [
  {
    name: 'X-Trellis-Timestamp',
    required: false,
    description: "Unix seconds, when the node has a `secret`: within webhooks.signature_tolerance of the server's clock.",
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  {
    name: 'X-Trellis-Signature-256',
    required: false,
    description: 'When the node has a `secret`: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> under that secret (docs/webhooks.md).',
    schema: { type: 'string', example: 'sha256=5d41...' },
  },
  {
    name: 'Idempotency-Key',
    required: false,
    description: 'A resend with the same key and body within webhooks.idempotency_window answers the first answer (Idempotent-Replayed: true).',
    schema: { type: 'string', maxLength: 255 },
  },
];

export const GITHUB_HEADERS: ApiHeaderOptions[] = [
  {
    name: 'X-Hub-Signature-256',
    required: true,
    description: 'sha256=<hex HMAC-SHA256 of the raw body> under GITHUB_WEBHOOK_SECRET.',
    schema: { type: 'string' },
  },
  { name: 'X-GitHub-Event', required: true, schema: { type: 'string', example: 'pull_request' } },
  { name: 'X-GitHub-Delivery', required: true, description: 'A redelivery answers the first answer.', schema: { type: 'string' } },
];
