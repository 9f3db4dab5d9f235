import { describe, expect, it } from '@jest/globals';
import { hasAttemptsLeft, retryDelay } from './retry.js';

describe('retryDelay', () => {
  it.each([
    [{ attempts: 5, backoff: 'fixed', delay: 250 }, [1, 2, 3], [250, 250, 250]],
    [{ attempts: 5, backoff: 'exponential', delay: 100 }, [1, 2, 3, 4], [100, 200, 400, 800]],
    [{ attempts: 9, backoff: 'exponential', delay: 1000, max_delay: 5000 }, [1, 3, 4, 8], [1000, 4000, 5000, 5000]],
    [{ attempts: 2000, backoff: 'exponential', delay: 1, max_delay: 60000 }, [1500], [60000]],
  ] as const)('%j', (policy, attempts, delays) => {
    expect(attempts.map((a) => retryDelay(policy, a))).toEqual(delays);
  });

  it('allows attempts up to the total', () => {
    expect(hasAttemptsLeft({ attempts: 3, backoff: 'fixed', delay: 0 }, 2)).toBe(true);
    expect(hasAttemptsLeft({ attempts: 3, backoff: 'fixed', delay: 0 }, 3)).toBe(false);
    expect(hasAttemptsLeft(null, 1)).toBe(false);
  });
});
