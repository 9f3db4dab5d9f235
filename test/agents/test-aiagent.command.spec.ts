// `trellis test` with a scripted ai.agent: the model's turns come from the test, the tools run for real
// (text.join) or answer a mocked result, and the test asserts which tools were called with which arguments.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand } from '../../src/agents/agents.command.js';
import { yaml } from './fixtures/check.js';
import { capture, tempProject } from './fixtures/cli.js';

const TRIAGE = (expectedSteps: string) =>
  yaml(
    'name: triage',
    'nodes:',
    '  issue:',
    '    block: input',
    '    inputs: { name: issue, type: string }',
    '  brain:',
    '    block: ai.agent',
    '    inputs:',
    '      model: gpt-4.1-mini',
    '      tools:',
    '        - { name: join, block: text.join, inputs: { separator: "+" } }',
    '        - { name: search, block: http.request, hosts: [api.github.com] }',
    '  answer:',
    '    block: output',
    '    inputs: { name: answer }',
    '  steps:',
    '    block: output',
    '    inputs: { name: steps }',
    'links:',
    '  - issue.value -> brain.task',
    '  - brain.answer -> answer.value',
    '  - brain.steps -> steps.value',
    'tests:',
    '  - name: calls the tools the script asks for',
    '    inputs: { issue: "Crash on start" }',
    '    mocks:',
    '      brain:',
    '        turns:',
    '          - tool_calls:',
    '              - { name: join, arguments: { items: [crash, start] } }',
    '              - { name: search, arguments: { url: "https://api.github.com/search/issues?q=crash" } }',
    '          - answer: "label: bug"',
    '        tools:',
    '          search: { status: 200, json: { total_count: 3 } }',
    '    expect:',
    '      outputs:',
    '        answer: ["label: bug"]',
    `        steps: [${expectedSteps}]`,
  );

const STEPS =
  '[{step: 1, tool: join, arguments: {items: [crash, start]}, result: {text: crash+start}, usage: {input_tokens: 0, output_tokens: 0}},' +
  ' {step: 1, tool: search, arguments: {url: "https://api.github.com/search/issues?q=crash"}, result: {status: 200, json: {total_count: 3}}, usage: {input_tokens: 0, output_tokens: 0}}]';

describe('trellis test with a scripted ai.agent', () => {
  let good: ReturnType<typeof tempProject>;
  let wrong: ReturnType<typeof tempProject>;
  beforeAll(() => {
    good = tempProject({ 'agents/triage.yaml': TRIAGE(STEPS) });
    wrong = tempProject({ 'agents/triage.yaml': TRIAGE(STEPS.replace('[crash, start]}, result', '[crash, stop]}, result')) });
  });
  afterAll(() => {
    good.remove();
    wrong.remove();
  });

  it('passes when the tools were called with the expected arguments', async () => {
    const c = capture(good.dir);
    const code = await testCommand(undefined, c.io, defaultDeps);
    if (code !== 0) throw new Error(c.out() + c.err());
    expect(c.out()).toContain('ok   calls the tools the script asks for');
  });

  it('fails when a tool was called with other arguments', async () => {
    const c = capture(wrong.dir);
    const code = await testCommand(undefined, c.io, defaultDeps);
    expect(code).toBe(1);
    expect(c.out() + c.err()).toMatch(/FAIL|fail/);
  });
});
