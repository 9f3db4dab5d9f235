// The retry rule of a node (release-2.md section 2 `retry`), written once for both runners: which failures
// are tried again (`on`), and the backoff between attempts (fixed or exponential, capped by max_delay, and
// at least what a `Retry-After` asked for, up to max_delay).
import type { RetryPolicy } from '../../agent-format/graph.types.js';
import type { NodeError } from './engine.errors.js';

/** Codes that are transient whatever the block says: timeouts and connection failures. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'NODE_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Whether trying again may help: what the block marked (`transient`), else the answer's HTTP status
 * (`details.status`: 408, 429 and 5xx are transient, other statuses permanent), else timeouts and
 * connection failures. Anything else (a block's unmarked error, bad input) is permanent.
 */
export function isTransient(error: NodeError): boolean {
  if (typeof error.transient === 'boolean') return error.transient;
  const status = error.details?.status;
  if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  return TRANSIENT_CODES.has(error.code);
}

/** Whether `policy.on` covers this failure: its code is listed, or `transient` is (the default) and it is. */
export function retryCovers(policy: RetryPolicy, error: NodeError): boolean {
  const on = policy.on === undefined || policy.on === 'transient' ? ['transient'] : policy.on;
  return on.includes(error.code) || (on.includes('transient') && isTransient(error));
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based) before the next one; a
 * `Retry-After` the failure carries (`details.retry_after`, seconds) lengthens it, up to max_delay.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, error?: NodeError): number {
  const base = Math.max(0, policy.delay);
  const backoff = policy.backoff === 'exponential' ? base * 2 ** Math.max(0, attempt - 1) : base;
  const asked = retryAfterMs(error);
  const delay = asked !== null ? Math.max(backoff, asked) : backoff;
  const capped = policy.max_delay !== undefined ? Math.min(delay, Math.max(0, policy.max_delay)) : delay;
  return Number.isFinite(capped) ? capped : (policy.max_delay ?? Number.MAX_SAFE_INTEGER);
}

/** `details.retry_after` in milliseconds: seconds (number or text), or null when absent or not a number of seconds. */
function retryAfterMs(error: NodeError | undefined): number | null {
  const raw = error?.details?.retry_after;
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

/** Whether another attempt is allowed after `attempt` attempts (attempts counts all tries, the first included). */
export function hasAttemptsLeft(policy: RetryPolicy | null, attempt: number): boolean {
  return policy !== null && attempt < policy.attempts;
}

/** The one retry decision of both runners: attempts left, and the policy covers the failure. */
export function shouldRetry(policy: RetryPolicy | null, attempt: number, error: NodeError): policy is RetryPolicy {
  return hasAttemptsLeft(policy, attempt) && retryCovers(policy!, error);
}
