import { describe, expect, it } from '@jest/globals';
import { handleCandidates, handleFromClaims, isValidHandle, slugifyHandle } from './user.handle.js';

describe('handles', () => {
  it.each(['ops', 'ada.lovelace', 'team_7', '7up', 'a'])('accepts %p', (handle) => expect(isValidHandle(handle)).toBe(true));
  it.each(['', 'Ops', '-ops', 'has space', 'a'.repeat(64), 7])('refuses %p', (handle) => expect(isValidHandle(handle)).toBe(false));

  it.each([
    ['Ada Lovelace', 'ada-lovelace'],
    ['José', 'jose'],
    ['auth0|12345', 'auth0-12345'],
    ['__x__', 'x'],
    ['!!!', null],
  ])('slugifies %p to %p', (text, slug) => expect(slugifyHandle(text)).toBe(slug));

  it('takes the handle from preferred_username, then the email, then the sub', () => {
    expect(handleFromClaims({ preferred_username: 'Ada', email: 'x@example.com' }, 'sub-1')).toBe('ada');
    expect(handleFromClaims({ email: 'grace.hopper@example.com' }, 'sub-1')).toBe('grace.hopper');
    expect(handleFromClaims({}, 'google-oauth2|99')).toBe('google-oauth2-99');
    expect(handleFromClaims({ preferred_username: '???' }, '???')).toBe('user');
  });

  it('suffixes taken handles within the length limit', () => {
    expect(handleCandidates('ops', 3)).toEqual(['ops', 'ops-2', 'ops-3']);
    const long = 'a'.repeat(63);
    for (const candidate of handleCandidates(long, 12)) expect(isValidHandle(candidate)).toBe(true);
  });
});
