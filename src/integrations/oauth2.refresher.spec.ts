import { describe, expect, it } from '@jest/globals';
import { needsRefresh, REFRESH_MARGIN_MS } from './oauth2.refresher.js';

describe('needsRefresh', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();

  it.each([
    ['no expiry', {}, false],
    ['an unreadable expiry', { expires_at: 'soon' }, false],
    ['an hour left', { expires_at: at(3_600_000) }, false],
    ['just past the margin', { expires_at: at(REFRESH_MARGIN_MS + 1) }, false],
    ['exactly the margin', { expires_at: at(REFRESH_MARGIN_MS) }, true],
    ['a few seconds left', { expires_at: at(5_000) }, true],
    ['already expired', { expires_at: at(-1_000) }, true],
  ])('%s -> %s', (_what, fields, expected) => {
    expect(needsRefresh({ access_token: 'a', ...fields }, now)).toBe(expected);
  });

  it('takes another margin', () => {
    expect(needsRefresh({ access_token: 'a', expires_at: at(5_000) }, now, 1_000)).toBe(false);
  });
});
