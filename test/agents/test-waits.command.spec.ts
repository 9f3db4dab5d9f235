// `trellis test` with decisions: and events: (release-2.md section 3): a human.review decided by the
// script (approve, reject, edit checked against the node's schema, timeout with on_timeout), a wait.event
// given its event (or a timeout), and clear failures for a decision the node does not offer, an edit that
// breaks the schema, a missing script, and a script for a node of another block.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand, validateCommand } from '../../src/agents/agents.command.js';
import { yaml } from './fixtures/check.js';
import { capture, tempProject } from './fixtures/cli.js';

const AGENT = (tests: string[]) =>
  yaml(
    'name: gate',
    'nodes:',
    '  draft: { block: input, inputs: { name: draft, type: string } }',
    '  review:',
    '    block: human.review',
    '    inputs: { title: Post it?, decisions: [approve, reject, edit], schema: { type: string, maxLength: 12 }, on_timeout: approve }',
    '  wait: { block: wait.event, inputs: { on_timeout: continue } }',
    '  approved: { block: output, inputs: { name: approved } }',
    '  rejected: { block: output, inputs: { name: rejected } }',
    '  event: { block: output, inputs: { name: event } }',
    'links:',
    '  - draft.value -> review.data',
    '  - review.approved -> approved.value',
    '  - review.rejected -> rejected.value',
    '  - review.approved -> wait.key',
    '  - wait.event -> event.value',
    'tests:',
    ...tests,
  );

const PASSING = [
  '  - name: approved, then the event arrives',
  '    inputs: { draft: hello }',
  '    decisions: { review: { decision: approve, by: alice } }',
  '    events: { wait: { event: { id: 7 }, headers: { X-Source: ci } } }',
  '    expect: { outputs: { approved: [hello], rejected: [], event: [{ id: 7 }] } }',
  '  - name: rejected with a comment',
  '    inputs: { draft: hello }',
  '    decisions: { review: { decision: reject, comment: not now } }',
  '    expect: { outputs: { approved: [], rejected: [{ data: hello, comment: not now }] }, not_ran: [wait] }',
  '  - name: edited within the schema',
  '    inputs: { draft: hello }',
  '    decisions: { review: { decision: edit, data: hi-there } }',
  '    events: { wait: timeout }',
  '    expect: { outputs: { approved: [hi-there], event: [null] } }',
  '  - name: nobody decides, on_timeout approve',
  '    inputs: { draft: hello }',
  '    decisions: { review: timeout }',
  '    events: { wait: [{ event: 1 }] }',
  '    expect: { outputs: { approved: [hello], event: [1] } }',
];

describe('trellis test with decisions: and events:', () => {
  let good: ReturnType<typeof tempProject>;
  let bad: ReturnType<typeof tempProject>;
  let misplaced: ReturnType<typeof tempProject>;
  beforeAll(() => {
    good = tempProject({ 'agents/gate.yaml': AGENT(PASSING) });
    bad = tempProject({
      'agents/gate.yaml': AGENT([
        '  - name: an edit that breaks the schema',
        '    inputs: { draft: hello }',
        '    decisions: { review: { decision: edit, data: far too long for twelve } }',
        '    expect: { outputs: { approved: [far too long for twelve] } }',
        '  - name: no decision given',
        '    inputs: { draft: hello }',
        '    expect: { outputs: { approved: [hello] } }',
      ]),
    });
    misplaced = tempProject({
      'agents/gate.yaml': AGENT([
        '  - name: scripts the wrong nodes',
        '    inputs: { draft: hello }',
        '    decisions: { wait: { decision: approve }, nosuch: { decision: maybe } }',
        '    events: { review: { event: 1 } }',
        '    expect: {}',
      ]),
    });
  });
  afterAll(() => {
    good.remove();
    bad.remove();
    misplaced.remove();
  });

  it('runs reviews and event waits from the script: approve, reject, edit, and timeouts', async () => {
    const c = capture(good.dir);
    const code = await testCommand(undefined, c.io, defaultDeps);
    if (code !== 0) throw new Error(c.out() + c.err());
    expect(c.out()).toContain('4 tests, 4 passed, 0 failed');
  });

  it("fails an edit that breaks the node's schema and a review left without a decision, saying what to add", async () => {
    const c = capture(bad.dir);
    const code = await testCommand(undefined, c.io, defaultDeps);
    expect(code).toBe(1);
    const report = c.out();
    expect(report).toContain("does not match the node's schema");
    expect(report).toContain("give one under the test's decisions: (review: {decision: approve})");
    expect(report).toContain('2 tests, 0 passed, 2 failed');
  });

  it('refuses decisions: and events: for nodes of other blocks, unknown nodes and unknown decisions', async () => {
    const c = capture(misplaced.dir);
    const code = await validateCommand('agents', 'text', c.io, defaultDeps);
    expect(code).toBe(1);
    const problems = c.out();
    expect(problems).toContain('node "wait" is a wait.event; decisions: scripts human.review nodes only');
    expect(problems).toContain('node "review" is a human.review; events: scripts wait.event nodes only');
    expect(problems).toContain('"nosuch" is not a node of this agent');
    expect(problems).toContain('the decision must be approve, reject or edit');
  });
});
