// Backoff between attempts of a node (agent-format.md `retry`): fixed or exponential, capped by max_delay.
import type { RetryPolicy } from '../../agent-format/graph.types.js';

/** Milliseconds to wait after failed attempt number `attempt` (1-based) before the next one. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  const base = Math.max(0, policy.delay);
  const delay = policy.backoff === 'exponential' ? base * 2 ** Math.max(0, attempt - 1) : base;
  const capped = policy.max_delay !== undefined ? Math.min(delay, Math.max(0, policy.max_delay)) : delay;
  return Number.isFinite(capped) ? capped : (policy.max_delay ?? Number.MAX_SAFE_INTEGER);
}

/** Whether another attempt is allowed after `attempt` attempts (attempts counts all tries, the first included). */
export function hasAttemptsLeft(policy: RetryPolicy | null, attempt: number): boolean {
  return policy !== null && attempt < policy.attempts;
}
