import { describe, expect, it } from '@jest/globals';
import { expectProblemAt, validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY);
const validate = (text: string) => validateTexts({ 'agents/triage.yaml': text }, { blocks });

const agent = (...tools: string[]) =>
  yaml(
    'name: triage', //                                   1
    'nodes:', //                                         2
    '  task:', //                                        3
    '    block: input', //                               4
    '    inputs: { name: task, type: string }', //       5
    '  brain:', //                                       6
    '    block: ai.agent', //                            7
    '    inputs:', //                                    8
    '      model: gpt-4.1-mini', //                      9
    '      tools:', //                                   10
    ...tools, //                                         11...
    'links:',
    '  - task.value -> brain.task',
  );

describe('ai.agent tools at validation time', () => {
  it('accepts block tools with their constants, credentials and hosts', () => {
    const text = agent(
      '        - { name: fetch, block: http.request, hosts: [api.github.com], credentials: { auth: gh } }',
      '        - { name: join, block: text.join, inputs: { separator: "," } }',
    );
    const report = validate(text);
    expect(report.results[0]!.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('reports each bad entry at its line and column', () => {
    const text = agent(
      '        - name: Bad-Name', //                                      11
      '          block: text.join',
      '        - name: dup', //                                           13
      '          block: agent.run', //                                    14
      '        - name: dup', //                                           15
      '          block: http.request',
      '        - name: other', //                                         17
      '          block: text.join',
      '          inputs: { nope: 1 }', //                                 19
      '          require_approval: true', //                              20
      '        - name: sub', //                                           21
      '          agent: somebody_elses', //                               22
    );
    const problems = validate(text).results[0]!.problems;
    expectProblemAt(problems, 11, 17, /tool name "Bad-Name" must match/);
    expectProblemAt(problems, 14, 18, /block "agent.run" cannot be a tool \(call an agent with agent: <name> instead\)/);
    expectProblemAt(problems, 15, 17, /tool name "dup" is used twice/);
    expectProblemAt(problems, 15, 11, /needs hosts: \[\.\.\.\] .* or a constant url/);
    expectProblemAt(problems, 19, 27, /block "text.join" has no input "nope"/);
    // require_approval goes through reviews now: it is no problem.
    expect(problems.some((p) => /require_approval/.test(p.message))).toBe(false);
    expectProblemAt(problems, 22, 18, /no agent named "somebody_elses"/);
  });

  it('counts agent tools in the sub-agent cycle check, reported at the tool entry', () => {
    const helper = yaml(
      'name: helper',
      'nodes:',
      '  q:',
      '    block: input',
      '    inputs: { name: q }',
      '  back:',
      '    block: agent.run',
      '    inputs: { agent: triage }',
      'links:',
      '  - q.value -> back.inputs.task',
    );
    const report = validateTexts({ 'agents/triage.yaml': agent('        - name: ask', '          agent: helper'), 'agents/helper.yaml': helper }, { blocks });
    const triage = report.results.find((r) => r.name === 'triage')!;
    expectProblemAt(triage.problems, 12, 18, /sub-agent calls form a cycle: triage -> helper -> triage/);
    const self = validate(agent('        - name: me', '          agent: triage')).results[0]!.problems;
    expectProblemAt(self, 12, 18, /agent "triage" calls itself with an ai.agent tool/);
  });
});
