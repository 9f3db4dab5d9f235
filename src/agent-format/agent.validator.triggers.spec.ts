// The validator's rules for durations and retries, cron schedules and time zones, and trigger inputs.
import { describe, expect, it } from '@jest/globals';
import { errorsOf, expectProblemAt, problemsOf, yaml } from '../../test/agents/fixtures/check.js';
import { hello } from './agent.validator.fixtures.js';

describe('durations, cron, time zones and triggers', () => {
  it('parses durations of the agent, nodes and retries', () => {
    expectProblemAt(errorsOf(hello({}, ['timeout: 10 minutes'])), 16, 10, /timeout must be a duration like 500ms, 30s, 10m or 2h, got the text "10 minutes"/);
    expectProblemAt(errorsOf(hello({ 7: '    block: text.template\n    timeout: 30' })), 8, 14, /the timeout of node "greet" must be a duration/);
    const retry = (value: string) => hello({ 9: '      template: hi', 8: `    retry: ${value}\n    inputs:` });
    expectProblemAt(errorsOf(retry('{ attempts: 3, delay: soon }')), 8, 34, /retry\.delay must be a duration/);
    expectProblemAt(errorsOf(retry('{ attempts: 0 }')), 8, 24, /retry\.attempts \(all tries, the first included\) must be a whole number of at least 1/);
    expectProblemAt(errorsOf(retry('{ attempts: 2, backoff: linear }')), 8, 36, /retry\.backoff must be fixed or exponential/);
    expectProblemAt(errorsOf(retry('{ backoff: fixed }')), 8, 12, /retry needs "attempts:"/);
  });

  it('reads retry.on: transient, a list of error codes, or both, and places a wrong entry', () => {
    const retry = (value: string) => hello({ 9: '      template: hi', 8: `    retry: ${value}\n    inputs:` });
    expect(errorsOf(retry('{ attempts: 3, on: transient }'))).toEqual([]);
    expect(errorsOf(retry('{ attempts: 3, on: [transient, TEMPLATE_ERROR, SANDBOX_TIMEOUT] }'))).toEqual([]);
    expectProblemAt(
      errorsOf(retry('{ attempts: 3, on: always }')),
      8,
      31,
      /retry\.on must be transient or a non-empty list of error codes, got the text "always": write `on: transient`/,
    );
    expectProblemAt(errorsOf(retry('{ attempts: 3, on: [] }')), 8, 31, /retry\.on must be transient or a non-empty list/);
    expectProblemAt(
      errorsOf(retry('{ attempts: 3, on: [transient, http_status] }')),
      8,
      43,
      /retry\.on entry the text "http_status" is not an error code \(UPPER_CASE, like HTTP_STATUS\) or transient/,
    );
  });

  it("refuses a retry.on code the block never fails with, at its line:col, naming the nearest and listing the block's codes", () => {
    const retry = (value: string) => hello({ 9: '      template: hi', 8: `    retry: ${value}\n    inputs:` });
    const problems = errorsOf(retry('{ attempts: 3, on: [transient, TEMPLATE_EROR, LLM_INVALID_ANSWER] }'));
    expect(problems).toHaveLength(2);
    expectProblemAt(
      problems,
      8,
      43,
      /^retry\.on lists TEMPLATE_EROR, which text\.template never fails with, so it would never be retried\. Did you mean "TEMPLATE_ERROR"\?/,
    );
    expectProblemAt(problems, 8, 58, /^retry\.on lists LLM_INVALID_ANSWER, which text\.template never fails with/);
    const listed = problems[1]!.message;
    expect(listed).not.toContain('Did you mean');
    expect(listed).toContain('Node "greet" (text.template) fails with: TEMPLATE_ERROR, SANDBOX_TIMEOUT, SANDBOX_MEMORY, INVALID_INPUT');
    expect(listed).toMatch(/NODE_TIMEOUT \(transient\)/);
    // The codes the engine gives a node of any block, and those it gives in a block's name (a child, a review, an event).
    expect(errorsOf(retry('{ attempts: 2, on: [NODE_TIMEOUT, VALUE_TOO_LARGE, NODE_FAILED] }'))).toEqual([]);
    const child = yaml(
      'name: parent',
      'nodes:',
      '  run:',
      '    block: agent.run',
      '    retry: { attempts: 2, on: [CHILD_FAILED] }',
      '    inputs: { agent: parent }',
    );
    expect(errorsOf(child).filter((p) => p.message.includes('retry.on'))).toEqual([]);
    expectProblemAt(errorsOf(child.replace('CHILD_FAILED', 'CHILD_FAIL')), 5, 32, /retry\.on lists CHILD_FAIL.* Did you mean "CHILD_FAILED"\?/);
  });

  const cron = (schedule: string, timezone = 'UTC') =>
    yaml('name: digest', 'nodes:', '  tick:', '    block: trigger.cron', `    inputs: { schedule: "${schedule}", timezone: ${timezone} }`);

  it('parses cron schedules and time zones', () => {
    expect(problemsOf(cron('*/15 * * * *', 'Europe/Paris'))).toEqual([]);
    expect(problemsOf(cron('0 0 9 * * 1-5'))).toEqual([]);
    expectProblemAt(errorsOf(cron('61 * * * *')), 5, 25, /schedule: "61 \* \* \* \*" is not a valid cron expression: .*59/);
    expectProblemAt(errorsOf(cron('@daily')), 5, 25, /expected a cron expression of 5 fields/);
    expectProblemAt(errorsOf(cron('0 9 * * *', 'Mars/Olympus')), 5, 48, /timezone: "Mars\/Olympus" is not an IANA time zone/);
  });

  it('checks GitHub events and repositories', () => {
    const gh = (inputs: string) => yaml('name: gh', 'nodes:', '  pr:', '    block: trigger.github', `    inputs: ${inputs}`);
    expect(problemsOf(gh('{ events: [pull_request, issues.opened], repository: acme/app }'))).toEqual([]);
    expectProblemAt(
      errorsOf(gh('{ events: [pull_request.opend] }')),
      5,
      24,
      /events \(at \/0\): "pull_request\.opend" is not a GitHub webhook event.*Did you mean "pull_request\.opened"/,
    );
    expectProblemAt(errorsOf(gh('{ events: [] }')), 5, 23, /events: must NOT have fewer than 1 items, got a list of 0 items/);
    expectProblemAt(
      errorsOf(gh('{ events: [push], repository: acme }')),
      5,
      43,
      /repository: expected a repository as owner\/name, such as acme\/app, got the text "acme"/,
    );
  });

  it('checks webhook methods', () => {
    const hook = (methods: string) => yaml('name: hook', 'nodes:', '  in:', '    block: trigger.webhook', `    inputs: { methods: ${methods} }`);
    expect(problemsOf(hook('[POST, PUT]'))).toEqual([]);
    expectProblemAt(errorsOf(hook('[POST, post]')), 5, 31, /methods \(at \/1\): expected one of "GET", "POST", "PUT", "PATCH", "DELETE", got the text "post"/);
  });
});
