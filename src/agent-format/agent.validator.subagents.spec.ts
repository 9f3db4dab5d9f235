// The validator's rules for an agent's inputs and outputs, and for sub-agents (agent.run) across files.
import { describe, expect, it } from '@jest/globals';
import { errorsOf, expectProblemAt, validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { hello } from './agent.validator.fixtures.js';

describe('graph inputs and outputs', () => {
  it('requires unique input and output names', () => {
    const text = hello({}, ['  - greet.text -> out2.value']).replace('links:', '  out2:\n    block: output\n    inputs: { name: greeting }\nlinks:');
    expectProblemAt(errorsOf(text), 15, 21, /output name "greeting" is also used by node "out"; output names are unique within an agent/);
  });

  it('checks input types and that defaults fit them', () => {
    expectProblemAt(
      errorsOf(hello({ 5: '    inputs: { name: who, type: text }' })),
      5,
      32,
      /node "who" \(input\): type: expected one of "string", .* or an object, got the text "text"/,
    );
    expectProblemAt(
      errorsOf(hello({ 5: '    inputs: { name: who, type: integer, default: world }' })),
      5,
      50,
      /the default of input "who" does not fit its type: expected a whole number, got the text "world"/,
    );
    expectProblemAt(errorsOf(hello({ 5: '    inputs: { name: who, type: { type: strin } }' })), 5, 32, /type is not a valid JSON Schema/);
    expectProblemAt(errorsOf(hello({ 5: '    inputs: { name: Who }' })), 5, 21, /the input name "Who" must be lower-case/);
  });
});

describe('sub-agents', () => {
  const parent = (target: string, extra: string[] = []) =>
    yaml(
      'name: parent',
      'nodes:',
      '  child:',
      '    block: agent.run',
      `    inputs: { agent: ${target}, inputs: { who: x } }`,
      '  out:',
      '    block: output',
      '    inputs: { name: said }',
      'links:',
      '  - child.greeting -> out.value',
      ...extra,
    );

  it('resolves the target and its outputs among the agents validated together', () => {
    const report = validateTexts({ 'agents/parent.yaml': parent('hello'), 'agents/hello.yaml': hello() });
    expect(report.results.map((r) => r.problems)).toEqual([[], []]);
  });

  it('reports a missing target, suggesting the closest agent', () => {
    const report = validateTexts({ 'agents/parent.yaml': parent('helo'), 'agents/hello.yaml': hello() });
    expectProblemAt(report.results[0]!.problems, 5, 22, /agent\.run calls "helo", but there is no agent named "helo"\. Did you mean "hello"\?/);
  });

  it('reports inputs the child does not have', () => {
    const report = validateTexts({ 'agents/parent.yaml': parent('hello').replace('who: x', 'whom: x'), 'agents/hello.yaml': hello() });
    expectProblemAt(report.results[0]!.problems, 5, 39, /agent "hello" has no input "whom"\. Did you mean "who"\?/);
  });

  it('uses a catalog of agents known elsewhere', () => {
    const agents = { get: (name: string) => (name === 'hello' ? { inputs: ['who'], outputs: ['greeting'], calls: [] } : undefined), names: () => ['hello'] };
    expect(validateTexts({ 'agents/parent.yaml': parent('hello') }, { agents }).ok).toBe(true);
  });

  it('rejects a target given through a link', () => {
    const text = parent('hello').replace('agent: hello, ', '') + '  - out.error -> child.agent\n';
    const report = validateTexts({ 'agents/parent.yaml': text, 'agents/hello.yaml': hello() });
    expectProblemAt(report.results[0]!.problems, 11, 5, /agent\.run takes "agent" as a constant, never through a link/);
  });

  it('finds cycles across files, at each calling node', () => {
    const a = yaml('name: ping', 'nodes:', '  call:', '    block: agent.run', '    inputs: { agent: pong }');
    const b = yaml('name: pong', 'nodes:', '  call:', '    block: agent.run', '    inputs: { agent: ping }');
    const report = validateTexts({ 'agents/ping.yaml': a, 'agents/pong.yaml': b });
    expectProblemAt(report.results[0]!.problems, 5, 22, /sub-agent calls form a cycle: ping -> pong -> ping/);
    expectProblemAt(report.results[1]!.problems, 5, 22, /sub-agent calls form a cycle: pong -> ping -> pong/);
    const self = yaml('name: loop', 'nodes:', '  call:', '    block: agent.run', '    inputs: { agent: loop }');
    expectProblemAt(validateTexts({ 'agents/loop.yaml': self }).results[0]!.problems, 5, 22, /agent "loop" calls itself/);
  });

  it('finds a cycle closed by an agent known elsewhere', () => {
    const a = yaml('name: ping', 'nodes:', '  call:', '    block: agent.run', '    inputs: { agent: pong }');
    const agents = { get: (name: string) => (name === 'pong' ? { inputs: [], outputs: [], calls: ['ping'] } : undefined), names: () => ['pong'] };
    expectProblemAt(validateTexts({ 'agents/ping.yaml': a }, { agents }).results[0]!.problems, 5, 22, /cycle: ping -> pong -> ping/);
  });
});
