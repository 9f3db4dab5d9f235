// The validator's basics: a valid agent, syntax, duplicate and unknown keys, names, blocks and constant inputs,
// the tests section, and problems of a JSON body. Links, credentials, triggers and sub-agents have spec files of their own.
import { describe, expect, it } from '@jest/globals';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { errorsOf, expectProblemAt, problemsOf, validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { hello } from './agent.validator.fixtures.js';

describe('a valid agent', () => {
  it('has no problems and answers its canonical definition', () => {
    const report = validateTexts({ 'agents/hello.yaml': hello() });
    expect(report.results[0]!.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results[0]!.agent).toMatchObject({
      name: 'hello',
      nodes: { greet: { block: 'text.template', inputs: { template: 'Hello {{ who }}' }, credentials: {} } },
      links: expect.arrayContaining([{ from: { node: 'who', pin: 'value', path: [] }, to: { node: 'greet', pin: 'values', key: 'who' }, static: true }]),
    });
  });
});

describe('syntax, duplicate keys and unknown keys', () => {
  it('reports a YAML syntax error at its line and column, and nothing else', () => {
    const problems = problemsOf(yaml('name: hello', 'nodes:', '  a: [1, 2', 'links: []'), { file: 'agents/hello.yaml' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'agents/hello.yaml', line: 4, column: 1, severity: 'error' });
    expect(problems[0]!.message).toMatch(/^YAML syntax: .*Fix the YAML first/);
  });

  it('reports a duplicate key at the repeated key, naming the first', () => {
    const problems = problemsOf(hello({ 8: '    block: output', 9: '    description: two blocks' }));
    expectProblemAt(problems, 8, 5, /duplicate key "block" \(first written at line 7\)/);
  });

  it('reports a duplicate top-level key', () => {
    expectProblemAt(problemsOf(hello({}, ['name: hello'])), 16, 1, /duplicate key "name" \(first written at line 1\)/);
  });

  it('reports unknown keys at the key, suggesting the closest', () => {
    const problems = problemsOf(hello({}, ['descripton: greets']));
    expectProblemAt(problems, 16, 1, /unknown key "descripton" in the agent\. Did you mean "description"\?/);
    expectProblemAt(problemsOf(hello({ 8: '    inptus:' })), 8, 5, /unknown key "inptus" in node "greet"\. Did you mean "inputs"\?/);
    expectProblemAt(
      problemsOf(hello({ 15: '  - { from: greet.text, to: out.value, statc: true }' })),
      15,
      40,
      /unknown key "statc" in a link\. Did you mean "static"\?/,
    );
  });

  it('reports an empty document and a document that is not a mapping', () => {
    expectProblemAt(problemsOf('', { file: 'agents/x.yaml' }), 1, 1, /the document is empty/);
    expectProblemAt(problemsOf('- a\n- b\n', { file: 'agents/x.yaml' }), 1, 1, /an agent is a mapping/);
  });

  it('reports missing name and nodes', () => {
    const problems = problemsOf('description: nothing else\n', { file: 'agents/x.yaml' });
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/the agent name is missing: add "name:"/), expect.stringMatching(/"nodes:"\) is missing/)]),
    );
  });
});

describe('names', () => {
  it('checks the name pattern at the name', () => {
    expectProblemAt(
      problemsOf(hello({ 1: 'name: Hello_World' }), { file: 'agents/Hello_World.yaml' }),
      1,
      7,
      /must be 2 to 63 characters of lower-case letters, digits and -/,
    );
  });

  it('requires the name to equal the file name', () => {
    expectProblemAt(
      problemsOf(hello(), { file: 'agents/greeter.yaml' }),
      1,
      7,
      /the agent name "hello" must equal the file's name "greeter": rename the file to hello\.yaml, or set name: greeter/,
    );
  });

  it('reports two files with the same agent name, naming the first', () => {
    const report = validateTexts({ 'agents/hello.yaml': hello(), 'agents/team/hello.yml': hello() });
    expect(report.results[0]!.ok).toBe(true);
    expectProblemAt(report.results[1]!.problems, 1, 7, /another agent is also named "hello" \(agents\/hello\.yaml\)/);
  });

  it('checks node ids at the key', () => {
    expectProblemAt(
      problemsOf(hello({ 10: '  Out-Node:', 15: '  - greet.text -> out.value' })),
      10,
      3,
      /the node id "Out-Node" must be lower-case letters, digits and _/,
    );
  });
});

describe('blocks and constant inputs', () => {
  it('reports an unknown block at its value, suggesting the closest id', () => {
    const [problem] = errorsOf(hello({ 7: '    block: text.templat' }));
    expect(problem).toMatchObject({ line: 7, column: 12, node: 'greet' });
    expect(problem!.message).toBe('unknown block "text.templat". Did you mean "text.template"? List them with "trellis blocks".');
  });

  it('reports an input that is not a pin, at its key, suggesting the closest pin', () => {
    const problem = expectProblemAt(
      problemsOf(hello({ 9: '      templat: "Hello"' })),
      9,
      7,
      /node "greet" \(text\.template\): "templat" is not an input of block text\.template\. Did you mean "template"\? Its inputs are: template, values\./,
    );
    expect(problem).toMatchObject({ node: 'greet', pin: 'templat', pointer: '/nodes/greet/inputs/templat' });
  });

  it('reports a regular expression RE2 cannot express at the constant, naming the feature', () => {
    // The real library (the fixture blocks have no patterns).
    const real = { context: { blocks: new BlocksRegistry(BLOCK_LIBRARY) } };
    const agent = (inputs: string) => yaml('name: regexes', 'nodes:', '  test:', '    block: logic.condition', `    inputs: { left: x, ${inputs} }`);
    expectProblemAt(
      problemsOf(agent('operator: matches, right: "(a)\\\\1"'), real),
      5,
      50,
      /node "test" \(logic\.condition\): right: uses a backreference "\\1", which RE2 regular expressions \(matched in linear time\) cannot express/,
    );
    expectProblemAt(problemsOf(agent('operator: matches, right: "a(?=b)"'), real), 5, 50, /right: uses a lookahead "\(\?=\.\.\.\)"/);
    expect(errorsOf(agent('operator: "==", right: "a(?=b)"'), real)).toEqual([]);
    const match = yaml('name: regexes', 'nodes:', '  m:', '    block: text.match', '    inputs:', '      text: x', '      pattern: "(?<!a)b"');
    expectProblemAt(problemsOf(match, real), 7, 16, /node "m" \(text\.match\): pattern: uses a negative lookbehind "\(\?<!\.\.\.\)", which RE2/);
  });

  it('reports a constant that does not fit its pin, at the value (or inside it)', () => {
    expectProblemAt(problemsOf(hello({ 9: '      template: 5' })), 9, 17, /^node "greet" \(text\.template\): template: expected text, got the number 5$/);
    const labels = yaml(
      'name: labels',
      'nodes:',
      '  add:',
      '    block: github.labels.add',
      '    inputs: { repository: acme/app, number: 7, labels: [big, 3] }',
    );
    expectProblemAt(problemsOf(labels), 5, 62, /node "add" \(github\.labels\.add\): labels \(at \/1\): expected text, got the number 3/);
    expectProblemAt(
      problemsOf(labels.replace('[big, 3]', '[big]').replace('number: 7', 'number: 7.5')),
      5,
      45,
      /number: expected a whole number, got the number 7\.5/,
    );
  });

  it('checks enum pins with the allowed values', () => {
    const text = yaml('name: cond', 'nodes:', '  c:', '    block: logic.condition', '    inputs: { left: 1, operator: "=>" }');
    expectProblemAt(problemsOf(text), 5, 34, /operator: expected one of "==", "!=", ">", ">=", "<", "<=", "contains", "matches", got the text "=>"/);
  });
});

describe('tests section', () => {
  it('checks the nodes, pins, inputs and outputs a test names', () => {
    const text = hello({}, [
      'tests:', //                                                   16
      '  - name: greets', //                                         17
      '    inputs: { whom: x }', //                                  18
      '    mocks: { gret: { text: hi }, greet: { txt: hi } }', //   19
      '    expect: { outputs: { greting: [x] }, ran: [outt] }', //  20
      '  - name: greets', //                                         21
      '    trigger: { node: greet, outputs: {} }', //               22
      '    expect: { status: DONE }', //                             23
    ]);
    const problems = errorsOf(text);
    expectProblemAt(problems, 18, 15, /the agent has no input "whom"\. Did you mean "who"\?/);
    expectProblemAt(problems, 19, 14, /the mocked node "gret" is not a node of this agent\. Did you mean "greet"\?/);
    expectProblemAt(problems, 19, 43, /text\.template has no output pin "txt" to mock\. Did you mean "text"\?/);
    expectProblemAt(problems, 20, 26, /the agent has no output "greting"\. Did you mean "greeting"\?/);
    expectProblemAt(problems, 20, 48, /expect\.ran names "outt" is not a node of this agent\. Did you mean "out"\?/);
    expectProblemAt(problems, 21, 11, /another test is also named "greets"/);
    expectProblemAt(problems, 22, 22, /node "greet" is a text\.template, not a trigger/);
    expectProblemAt(problems, 23, 23, /expect\.status must be one of COMPLETED, FAILED, CANCELLED/);
  });
});

describe('JSON bodies', () => {
  it('locates problems by JSON Pointer', async () => {
    const { agentSourceFromJson } = await import('./agent.parser.js');
    const { validateAgents } = await import('./agent.validator.js');
    const { blocks } = await import('../../test/agents/fixtures/check.js');
    const body = { name: 'api-made', nodes: { t: { block: 'text.template', inputs: { template: 5 } } }, extra: true };
    const [result] = validateAgents([agentSourceFromJson(body)], { blocks }).results;
    expect(result!.problems).toEqual([
      { pointer: '/extra', message: expect.stringMatching(/unknown key "extra"/), severity: 'error' },
      {
        pointer: '/nodes/t/inputs/template',
        node: 't',
        pin: 'template',
        message: 'node "t" (text.template): template: expected text, got the number 5',
        severity: 'error',
      },
    ]);
  });
});
