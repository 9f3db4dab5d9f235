// Errors of /webhooks/{agent}/{node} and /webhooks/github (codes map to statuses in common/errors.ts).
import { AppError } from '../../common/errors.js';
import type { SignatureProblem } from './webhook-request.js';

export function webhookNotFound(agent: string, node: string): AppError {
  return new AppError(
    'NOT_FOUND',
    `No active agent "${agent}" has a trigger.webhook node "${node}". Check the URL (/webhooks/<agent>/<node>), that the agent is synced and active (GET /api/graphs/${agent}), and that the node's block is trigger.webhook.`,
    { agent, node },
  );
}

export function methodNotAllowed(method: string, allowed: readonly string[]): AppError {
  return new AppError(
    'METHOD_NOT_ALLOWED',
    `This webhook does not accept ${method}: send ${allowed.join(' or ')}, or add ${method} to the node's methods.`,
    { method, allowed },
    405,
    { Allow: allowed.join(', ') },
  );
}

const SIGNATURE_MESSAGES: Record<SignatureProblem, string> = {
  missing:
    'This webhook requires a signature: send X-Trellis-Timestamp (unix seconds) and X-Trellis-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> under the secret of the node\'s `secret` credential.',
  bad_timestamp: 'X-Trellis-Timestamp must be the current time in unix seconds (digits only).',
  stale: "X-Trellis-Timestamp is too far from the current time: sign each request when you send it (check the sender's clock).",
  mismatch:
    'X-Trellis-Signature-256 does not match: sign "<timestamp>.<raw body>" with HMAC-SHA256 under the secret of the node\'s `secret` credential, as sha256=<hex>.',
};

export function badSignature(problem: SignatureProblem, toleranceMs: number): AppError {
  return new AppError('UNAUTHENTICATED', SIGNATURE_MESSAGES[problem], {
    reason: problem,
    ...(problem === 'stale' ? { tolerance_seconds: Math.round(toleranceMs / 1000) } : {}),
  });
}

export function secretUnresolved(agent: string, node: string, credential: string): AppError {
  // The request cannot be checked; the fault is the agent's configuration, not the caller's.
  return new AppError(
    'UNAVAILABLE',
    `The webhook's secret credential "${credential}" cannot be resolved for the agent's owner, so no request can be verified. Create it (POST /api/integrations/credentials, type webhook_secret) or map it in config/credentials.yaml.`,
    { agent, node, credential },
  );
}

export function badJsonBody(reason: string): AppError {
  return new AppError(
    'BAD_REQUEST',
    `The body is sent as JSON but is not valid JSON (${reason}). Fix the JSON, or send it with another Content-Type to receive it as text.`,
    {},
  );
}

export function idempotencyConflict(key: string): AppError {
  return new AppError(
    'CONFLICT',
    `Idempotency-Key "${key}" was already used for this webhook with a different body. Use a new key for a new request, or resend exactly the same body to get the first answer.`,
    { idempotency_key: key },
  );
}

export function badIdempotencyKey(): AppError {
  return new AppError('BAD_REQUEST', 'Idempotency-Key must be 1 to 255 characters.', {});
}

export function badWebhookWait(raw: string): AppError {
  return new AppError('BAD_REQUEST', `?wait=${raw} is not a duration of at most 60s: use text like 500ms, 5s or 60s.`, { wait: raw });
}

export function webhookRateLimited(retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    'RATE_LIMITED',
    `Too many webhook requests from your address. Retry after ${seconds} second${seconds === 1 ? '' : 's'}, or ask an admin to raise webhooks.rate_limit.`,
    { retry_after_seconds: seconds },
    429,
    { 'Retry-After': String(seconds) },
  );
}

export function githubNotConfigured(): AppError {
  return new AppError(
    'UNAVAILABLE',
    'GitHub webhooks are not configured on this server: set GITHUB_WEBHOOK_SECRET to the secret of the GitHub webhook, then ask GitHub to redeliver.',
    {},
  );
}

export function githubBadSignature(missing: boolean): AppError {
  return new AppError(
    'UNAUTHENTICATED',
    missing
      ? 'X-Hub-Signature-256 is missing: configure a secret on the GitHub webhook equal to GITHUB_WEBHOOK_SECRET.'
      : "X-Hub-Signature-256 does not match the body: the GitHub webhook's secret must equal GITHUB_WEBHOOK_SECRET.",
    { reason: missing ? 'missing' : 'mismatch' },
  );
}

export function githubBadDelivery(problem: string): AppError {
  return new AppError('BAD_REQUEST', `This is not a GitHub webhook delivery: ${problem}.`, {});
}
