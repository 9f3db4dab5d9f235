// The trigger rules against the real block library: cron schedules, time zones, GitHub events and
// webhook methods are formats and enums of the trigger blocks' pins, reported at the constant.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { BlockLookup } from '../../src/blocks/block.types.js';
import { defaultDeps } from '../../src/agents/agents.command.js';
import { parseAgentYaml } from '../../src/agent-format/agent.parser.js';
import { validateAgents } from '../../src/agent-format/agent.validator.js';
import { yaml } from './fixtures/check.js';

let blocks: BlockLookup;
beforeAll(async () => {
  blocks = await defaultDeps.blocks();
});

const trigger = (block: string, inputs: string) => yaml('name: trig', 'nodes:', '  t:', `    block: ${block}`, `    inputs: ${inputs}`);
const problems = (text: string) => validateAgents([parseAgentYaml(text, 'agents/trig.yaml')], { blocks }).results[0]!.problems.map((p) => `${p.line}:${p.column} ${p.message}`);

describe('trigger settings, with the real blocks', () => {
  it('accepts well-formed triggers', () => {
    expect(problems(trigger('trigger.cron', '{ schedule: "0 9 * * 1-5", timezone: Europe/Paris }'))).toEqual([]);
    expect(problems(trigger('trigger.github', '{ events: [pull_request.opened, push], repository: acme/app }'))).toEqual([]);
    expect(problems(trigger('trigger.webhook', '{ methods: [POST, PUT] }'))).toEqual([]);
  });

  it('reports a bad cron schedule and time zone at their values', () => {
    expect(problems(trigger('trigger.cron', '{ schedule: "0 25 * * *", timezone: Mars/Base }'))).toEqual([
      expect.stringMatching(/^5:25 node "t" \(trigger\.cron\): schedule: "0 25 \* \* \*" is not a valid cron expression: .*0-23/),
      expect.stringMatching(/^5:49 node "t" \(trigger\.cron\): timezone: "Mars\/Base" is not an IANA time zone/),
    ]);
    expect(problems(trigger('trigger.cron', '{ schedule: "@daily" }'))).toEqual([expect.stringMatching(/^5:25 .*expected a cron expression of 5 fields/)]);
  });

  it('reports unknown GitHub events (suggesting the closest), a bad repository and bad webhook methods', () => {
    expect(problems(trigger('trigger.github', '{ events: [pull_request.opend], repository: acme }'))).toEqual([
      expect.stringMatching(/^5:24 .*"pull_request\.opend" is not a GitHub webhook event.*Did you mean "pull_request\.opened"/),
      expect.stringMatching(/^5:57 .*repository: expected a repository as owner\/name, such as acme\/app, got the text "acme"/),
    ]);
    expect(problems(trigger('trigger.webhook', '{ methods: [post] }'))).toEqual([expect.stringMatching(/^5:25 .*methods \(at \/0\): expected one of "GET", "POST", "PUT", "PATCH", "DELETE"/)]);
  });
});
