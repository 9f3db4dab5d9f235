import { describe, expect, it } from '@jest/globals';
import { cronProblem, durationProblem, githubEventProblem, timezoneProblem } from './pin-formats.js';

describe('pin formats', () => {
  it('accepts cron expressions of 5 or 6 fields', () => {
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('0 9 * * 1-5')).toBeNull();
    expect(cronProblem('*/30 * * * * *')).toBeNull();
  });

  it('refuses other field counts and bad values, saying why', () => {
    expect(cronProblem('* * * *')).toContain('got 4 fields');
    expect(cronProblem('1 2 3 4 5 6 7')).toContain('got 7 fields');
    expect(cronProblem('@daily')).toContain('5 fields');
    expect(cronProblem('61 * * * *')).toContain('not a valid cron expression');
  });

  it('accepts IANA time zones only', () => {
    expect(timezoneProblem('UTC')).toBeNull();
    expect(timezoneProblem('Europe/Paris')).toBeNull();
    expect(timezoneProblem('Mars/Olympus')).toContain('not an IANA time zone');
  });

  it('accepts durations like 30s', () => {
    expect(durationProblem('30s')).toBeNull();
    expect(durationProblem('thirty seconds')).toContain('500ms, 30s');
  });

  it('knows GitHub events and event.action pairs, and suggests close ones', () => {
    expect(githubEventProblem('pull_request')).toBeNull();
    expect(githubEventProblem('pull_request.opened')).toBeNull();
    expect(githubEventProblem('push')).toBeNull();
    expect(githubEventProblem('pull_requests')).toContain('Did you mean "pull_request"');
    expect(githubEventProblem('pull_request.openned')).toContain('pull_request.opened');
  });
});
