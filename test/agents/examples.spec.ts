// The example agents in agents/ (agents/examples/ included) pass `trellis validate` and `trellis test`, as the README promises.
import { describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand, validateCommand } from '../../src/agents/agents.command.js';
import { capture } from './fixtures/cli.js';

describe('the example agents', () => {
  it('validate without errors', async () => {
    const c = capture(process.cwd(), {});
    const code = await validateCommand('agents', 'text', c.io, defaultDeps);
    expect({ code, problems: c.out() }).toEqual({ code: 0, problems: expect.not.stringMatching(/^(?!.*warning:).+$/m) });
    expect(c.err()).toMatch(/^11 agents checked: 11 valid, 0 invalid; 0 errors/);
  });

  it('pass their tests', async () => {
    const c = capture(process.cwd(), {});
    const code = await testCommand('agents', c.io, defaultDeps);
    expect({ code, report: c.out(), err: c.err() }).toEqual({ code: 0, report: expect.stringMatching(/\n\d+ tests, (\d+) passed, 0 failed\n$/), err: '' });
    for (const agent of ['hello-world', 'order-intake', 'pr-size-labeler', 'daily-digest', 'pr-review-drafter', 'issue-triage', 'similar-issues'])
      expect(c.out()).toContain(`${agent} (agents/${agent}.yaml)`);
    for (const agent of ['signup-form', 'issue-to-slack', 'weekly-report', 'one-at-a-time']) expect(c.out()).toContain(`${agent} (agents/examples/${agent}.yaml)`);
  });
});
