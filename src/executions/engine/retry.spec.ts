import { describe, expect, it } from '@jest/globals';
import type { RetryPolicy } from '../../agent-format/graph.types.js';
import type { NodeError } from './engine.errors.js';
import { hasAttemptsLeft, isTransient, retryCovers, retryDelay, shouldRetry } from './retry.js';

describe('retryDelay', () => {
  it.each([
    [{ attempts: 5, backoff: 'fixed', delay: 250 }, [1, 2, 3], [250, 250, 250]],
    [{ attempts: 5, backoff: 'exponential', delay: 100 }, [1, 2, 3, 4], [100, 200, 400, 800]],
    [{ attempts: 9, backoff: 'exponential', delay: 1000, max_delay: 5000 }, [1, 3, 4, 8], [1000, 4000, 5000, 5000]],
    [{ attempts: 2000, backoff: 'exponential', delay: 1, max_delay: 60000 }, [1500], [60000]],
  ] as const)('%j', (policy, attempts, delays) => {
    expect(attempts.map((a) => retryDelay(policy, a))).toEqual(delays);
  });

  it('waits at least what Retry-After asked for, up to max_delay', () => {
    const policy: RetryPolicy = { attempts: 3, backoff: 'fixed', delay: 100, max_delay: 5000 };
    const limited = (retry_after: unknown): NodeError => ({ code: 'HTTP_STATUS', message: 'x', details: { status: 429, retry_after } });
    expect(retryDelay(policy, 1, limited('2'))).toBe(2000);
    expect(retryDelay(policy, 1, limited(60))).toBe(5000);
    expect(retryDelay(policy, 1, limited('0'))).toBe(100);
    expect(retryDelay(policy, 1, limited('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(100);
  });

  it('allows attempts up to the total', () => {
    expect(hasAttemptsLeft({ attempts: 3, backoff: 'fixed', delay: 0 }, 2)).toBe(true);
    expect(hasAttemptsLeft({ attempts: 3, backoff: 'fixed', delay: 0 }, 3)).toBe(false);
    expect(hasAttemptsLeft(null, 1)).toBe(false);
  });
});

const error = (code: string, extra: Partial<NodeError> = {}): NodeError => ({ code, message: 'm', ...extra });

describe('isTransient', () => {
  it.each([
    ['a block mark wins over the status', error('X', { transient: true, details: { status: 400 } }), true],
    ['a permanent mark wins over the code', error('NODE_TIMEOUT', { transient: false }), false],
    ['408', error('HTTP_STATUS', { details: { status: 408 } }), true],
    ['429', error('LLM_RATE_LIMITED', { details: { status: 429 } }), true],
    ['500', error('HTTP_STATUS', { details: { status: 500 } }), true],
    ['529 (overloaded)', error('LLM_UNAVAILABLE', { details: { status: 529 } }), true],
    ['400', error('HTTP_STATUS', { details: { status: 400 } }), false],
    ['401', error('LLM_AUTH_FAILED', { details: { status: 401 } }), false],
    ['403', error('GITHUB_FORBIDDEN', { details: { status: 403 } }), false],
    ['404', error('HTTP_STATUS', { details: { status: 404 } }), false],
    ['a node timeout', error('NODE_TIMEOUT'), true],
    ['a reset connection', error('ECONNRESET'), true],
    ['invalid input', error('INVALID_INPUT'), false],
    ['an unmarked block failure', error('NODE_FAILED'), false],
  ])('%s', (_name, failure, expected) => {
    expect(isTransient(failure)).toBe(expected);
  });
});

describe('retryCovers and shouldRetry', () => {
  const base: RetryPolicy = { attempts: 3, backoff: 'fixed', delay: 0 };
  const auth = error('LLM_AUTH_FAILED', { details: { status: 401 } });
  const busy = error('LLM_UNAVAILABLE', { details: { status: 503 } });
  const invalid = error('LLM_INVALID_ANSWER');

  it('retries transient failures only, by default and with on: transient', () => {
    for (const policy of [base, { ...base, on: 'transient' as const }]) {
      expect([retryCovers(policy, busy), retryCovers(policy, auth), retryCovers(policy, invalid)]).toEqual([true, false, false]);
    }
  });

  it('retries listed codes, and transient ones too when the list names transient', () => {
    const listed: RetryPolicy = { ...base, on: ['LLM_INVALID_ANSWER'] };
    expect([retryCovers(listed, busy), retryCovers(listed, auth), retryCovers(listed, invalid)]).toEqual([false, false, true]);
    const both: RetryPolicy = { ...base, on: ['transient', 'LLM_INVALID_ANSWER'] };
    expect([retryCovers(both, busy), retryCovers(both, auth), retryCovers(both, invalid)]).toEqual([true, false, true]);
  });

  it('needs attempts left as well as a covered failure', () => {
    expect(shouldRetry(base, 2, busy)).toBe(true);
    expect(shouldRetry(base, 3, busy)).toBe(false);
    expect(shouldRetry(base, 1, auth)).toBe(false);
    expect(shouldRetry(null, 1, busy)).toBe(false);
  });
});
