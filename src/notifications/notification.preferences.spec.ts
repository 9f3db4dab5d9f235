import { describe, expect, it } from '@jest/globals';
import { builtInChannels, channelsFor } from './notification.preferences.js';

describe('channelsFor', () => {
  const none = { user: null, configured: {}, smtpConfigured: false };

  it.each([
    ['AGENT_RUN', false, []],
    ['AGENT_RUN', true, []],
    ['EXECUTION_FAILED', false, ['in_app']],
    ['EXECUTION_FAILED', true, ['in_app', 'email']],
    ['LOW_BALANCE', true, ['in_app', 'email']],
    ['ZERO_BALANCE', false, ['in_app']],
    ['SYSTEM', true, ['in_app', 'email']],
  ] as const)('built-in default for %s (smtp configured: %s) is %j', (kind, smtp, expected) => {
    expect(channelsFor(kind, { ...none, smtpConfigured: smtp })).toEqual(expected);
    expect(builtInChannels(kind, smtp)).toEqual(expected);
  });

  it('takes the user choice for a kind over config and built-in defaults, and the defaults for kinds left out', () => {
    const sources = {
      user: { AGENT_RUN: ['webhook', 'in_app'], EXECUTION_FAILED: [] },
      configured: { EXECUTION_FAILED: ['slack'], SYSTEM: ['email'] },
      smtpConfigured: true,
    };
    expect(channelsFor('AGENT_RUN', sources)).toEqual(['in_app', 'webhook']);
    expect(channelsFor('EXECUTION_FAILED', sources)).toEqual([]);
    expect(channelsFor('SYSTEM', sources)).toEqual(['email']);
    expect(channelsFor('LOW_BALANCE', sources)).toEqual(['in_app', 'email']);
  });

  it('drops unknown channel names and repeats', () => {
    expect(channelsFor('SYSTEM', { user: { SYSTEM: ['email', 'pager', 'email'] }, configured: {}, smtpConfigured: false })).toEqual(['email']);
  });
});
