import { describe, expect, it } from '@jest/globals';
import { isIanaTimezone, notificationPreferenceProblems } from './users.dto.js';

describe('user profile checks', () => {
  it.each(['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'])('accepts the time zone %p', (zone) => expect(isIanaTimezone(zone)).toBe(true));
  it.each(['Mars/Olympus', 'Paris', '', 'UTC+25', 42, null])('refuses the time zone %p', (zone) => expect(isIanaTimezone(zone)).toBe(false));

  it('accepts known kinds with known channels, and empty lists', () => {
    expect(notificationPreferenceProblems({ AGENT_RUN: ['in_app', 'email'], SYSTEM: [], EXECUTION_FAILED: ['slack', 'webhook'] })).toEqual([]);
  });

  it('names every bad kind and channel at once', () => {
    expect(notificationPreferenceProblems({ AGENT_RUNS: ['in_app'], LOW_BALANCE: ['sms', 'email', 3], ZERO_BALANCE: 'email' })).toEqual([
      'unknown notification kind "AGENT_RUNS" (known: AGENT_RUN, EXECUTION_FAILED, LOW_BALANCE, ZERO_BALANCE, SYSTEM, REVIEW_REQUESTED)',
      'LOW_BALANCE: unknown channel "sms" (known: in_app, email, slack, webhook)',
      'LOW_BALANCE: unknown channel 3 (known: in_app, email, slack, webhook)',
      'ZERO_BALANCE: expected a list of channels such as ["in_app", "email"] ([] for none)',
    ]);
    expect(notificationPreferenceProblems(['in_app'])).toEqual(['expected an object of notification kind -> list of channels']);
  });
});
