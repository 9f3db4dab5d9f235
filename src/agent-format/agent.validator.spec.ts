import { describe, expect, it } from '@jest/globals';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { errorsOf, expectProblemAt, problemsOf, validateTexts, yaml } from '../../test/agents/fixtures/check.js';

// A valid agent; tests change one line of it at a time.
const HELLO = [
  'name: hello', //                                          1
  'nodes:', //                                               2
  '  who:', //                                               3
  '    block: input', //                                     4
  '    inputs: { name: who, type: string, default: world }', // 5
  '  greet:', //                                             6
  '    block: text.template', //                             7
  '    inputs:', //                                          8
  '      template: "Hello {{ who }}"', //                    9
  '  out:', //                                              10
  '    block: output', //                                   11
  '    inputs: { name: greeting }', //                      12
  'links:', //                                              13
  '  - who.value -> greet.values.who', //                   14
  '  - greet.text -> out.value', //                         15
];
const hello = (replace: Record<number, string> = {}, extra: string[] = []): string => yaml(...HELLO.map((line, i) => replace[i + 1] ?? line), ...extra);

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

describe('links', () => {
  it('reports a malformed link at the link', () => {
    expectProblemAt(problemsOf(hello({ 15: '  - greet.text => out.value' })), 15, 5, /a link is written "node\.pin -> node\.pin"/);
    expectProblemAt(problemsOf(hello({ 15: '  - greet -> out.value' })), 15, 5, /the link source "greet" must name a node and a pin/);
    expectProblemAt(problemsOf(hello({ 15: '  - greet.Text -> out.value' })), 15, 5, /"Text" in "greet\.Text" is not a valid pin name/);
    expectProblemAt(problemsOf(hello({ 15: '  - greet.text -> out.value.a.b' })), 15, 5, /not a deeper path/);
  });

  it('points at the from or to of the object form', () => {
    const problems = errorsOf(hello({ 15: '  - { from: greet.txt, to: out.vale }' }));
    expectProblemAt(problems, 15, 13, /link source "greet\.txt": text\.template has no output pin "txt"\. Did you mean "text"\?/);
    expectProblemAt(problems, 15, 28, /link target "out\.vale": output has no input pin "vale"\. Did you mean "value" or "name"\?/);
  });

  it('reports links to nodes that do not exist, suggesting the closest', () => {
    const problems = errorsOf(hello({ 15: '  - greet.text -> ot.value' }));
    expectProblemAt(problems, 15, 5, /link target "ot\.value": there is no node "ot"\. Did you mean "out"\?/);
    expectProblemAt(errorsOf(hello({ 15: '  - gret.text -> out.value' })), 15, 5, /there is no node "gret"\. Did you mean "greet"\?/);
  });

  it('accepts the error pin of every block', () => {
    expect(errorsOf(hello({}, ['  - greet.error -> out.value']))).toEqual([]);
  });

  it('checks type compatibility of source and sink pins', () => {
    const text = yaml(
      'name: types',
      'nodes:',
      '  t:',
      '    block: text.template',
      '    inputs: { template: hi }',
      '  calc:',
      '    block: math.calculate',
      '    inputs: { operation: add, b: 1 }',
      '  q:',
      '    block: json.query',
      '    inputs: { data: {}, expression: "$" }',
      'links:',
      '  - t.text -> calc.a',
    );
    expectProblemAt(errorsOf(text), 13, 5, /link "t\.text -> calc\.a" carries text into a pin that takes a number; pick a key/);
    // A key path or an `any` pin relaxes the check.
    expect(errorsOf(text.replace('t.text -> calc.a', 't.text.length -> calc.a'))).toEqual([]);
    expect(errorsOf(text.replace('t.text -> calc.a', 'q.result -> calc.a'))).toEqual([]);
  });

  it('rejects a whole pin that is both constant and linked, but allows a key over a constant dict', () => {
    expectProblemAt(
      errorsOf(hello({ 12: '    inputs: { name: greeting, value: x }' })),
      15,
      5,
      /pin "value" of node "out" is both constant \(in its inputs\) and linked/,
    );
    expect(
      errorsOf(
        hello({ 9: '      template: "Hello {{ who }}"', 8: '    inputs: { values: { x: 1 }, template: hi }' }).replace(
          '      template: "Hello {{ who }}"\n',
          '',
        ),
      ),
    ).toEqual([]);
  });

  it('allows a sink key only on a dict pin', () => {
    expectProblemAt(
      errorsOf(hello({ 15: '  - greet.text -> out.name.x' }).replace('    inputs: { name: greeting }', '    inputs: { value: 1 }')),
      15,
      5,
      /sets the key "x", but pin "name" of output takes text, not a dict/,
    );
  });

  it('reports a link written twice and a link into a trigger', () => {
    expectProblemAt(errorsOf(hello({}, ['  - { from: greet.text, to: out.value }'])), 16, 5, /the link "greet\.text -> out\.value" is written twice/);
    const text = yaml(
      'name: trig',
      'nodes:',
      '  cron:',
      '    block: trigger.cron',
      '    inputs: { schedule: "0 9 * * *" }',
      '  t:',
      '    block: text.template',
      '    inputs: { template: hi }',
      'links:',
      '  - t.text -> cron.payload',
    );
    expectProblemAt(errorsOf(text), 10, 5, /trigger\.cron is a trigger, started from outside; it takes no links/);
  });

  it('knows dynamic output pins (logic.switch cases)', () => {
    const text = yaml(
      'name: switch',
      'nodes:',
      '  sw:',
      '    block: logic.switch',
      '    inputs: { value: 1, cases: { one: 1, two: 2 } }',
      '  out:',
      '    block: output',
      '    inputs: { name: result }',
      'links:',
      '  - sw.two -> out.value',
      '  - sw.three -> out.value',
    );
    const problems = errorsOf(text);
    expect(problems).toHaveLength(1);
    expectProblemAt(problems, 11, 5, /logic\.switch has no output pin "three"\. Its outputs: default, error, one, two\./);
  });
});

describe('required pins', () => {
  it('reports a required pin that is neither constant nor linked, at the node', () => {
    const problem = expectProblemAt(
      errorsOf(hello({ 8: '    inputs: {}', 9: '    description: no template' })),
      6,
      3,
      /node "greet" \(text\.template\) needs its input "template": set it under inputs, or link a value to greet\.template/,
    );
    expect(problem).toMatchObject({ node: 'greet', pin: 'template' });
  });

  it('counts a linked key as satisfying its pin', () => {
    expect(errorsOf(hello())).toEqual([]);
  });
});

describe('credentials and owner', () => {
  const slack = (credentials: string, owner = '') =>
    yaml(
      'name: notify',
      ...(owner ? [owner] : []),
      'nodes:',
      '  post:',
      '    block: slack.post',
      '    inputs: { text: hi }',
      ...(credentials ? [credentials] : []),
    );

  it('requires a credential field without a system default', () => {
    expectProblemAt(errorsOf(slack('')), 3, 3, /node "post" \(slack\.post\) needs a slack credential: add credentials: \{ webhook: <credential name> \}/);
  });

  it('accepts an unmapped field that has a system default (GITHUB_TOKEN)', () => {
    const text = yaml('name: gh', 'nodes:', '  add:', '    block: github.labels.add', '    inputs: { repository: acme/app, number: 1, labels: [x] }');
    expect(problemsOf(text)).toEqual([]);
  });

  it('reports an unknown credential field at its key', () => {
    expectProblemAt(
      errorsOf(slack('    credentials: { webhok: ops-slack }')),
      6,
      20,
      /slack\.post has no credential field "webhok"\. Did you mean "webhook"\?/,
    );
  });

  it('warns, without failing, about names it cannot check', () => {
    const problems = problemsOf(slack('    credentials: { webhook: ops-slack }'));
    expect(problems).toHaveLength(1);
    expectProblemAt(problems, 6, 29, /credential "ops-slack" can't be checked without a database/, 'warning');
  });

  it('resolves names where a resolver is given: missing, unknown, wrong provider, wrong type', () => {
    const credentials = {
      describe: 'config/credentials.yaml',
      check: (name: string) =>
        name === 'ops-slack'
          ? { found: true, certain: true, provider: 'slack', type: 'secret_url' }
          : name === 'gh'
            ? { found: true, certain: true, provider: 'github', type: 'api_key' }
            : name === 'slack-key'
              ? { found: true, certain: true, provider: 'slack', type: 'api_key' }
              : { found: false, certain: name === 'gone' },
    };
    expect(problemsOf(slack('    credentials: { webhook: ops-slack }'), { context: { credentials } })).toEqual([]);
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: gone }'), { context: { credentials } }),
      6,
      29,
      /no credential named "gone" exists in config\/credentials\.yaml/,
    );
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: maybe }'), { context: { credentials } }),
      6,
      29,
      /credential "maybe" is not in config\/credentials\.yaml; it must exist in the database/,
      'warning',
    );
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: gh }'), { context: { credentials } }),
      6,
      29,
      /credential "gh" is for github, but slack\.post needs a slack credential/,
    );
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: slack-key }'), { context: { credentials } }),
      6,
      29,
      /is of type api_key, but "webhook" of slack\.post takes secret_url/,
    );
  });

  it('says the owner cannot be checked without a user lookup, and checks it with one', () => {
    const text = slack('    credentials: { webhook: x }', 'owner: ops');
    expectProblemAt(problemsOf(text), 2, 8, /owner "ops" can't be checked without a database; sync checks that the user exists/, 'warning');
    expectProblemAt(problemsOf(text, { context: { users: { exists: () => false } } }), 2, 8, /owner "ops" is not a user/);
    expect(problemsOf(text, { context: { users: { exists: (h) => h === 'ops' } } }).filter((p) => p.pointer === '/owner')).toEqual([]);
  });

  it('checks notification channels where they are known', () => {
    const text = hello({}, ['notify: { on_failure: [ops-slak] }']);
    expectProblemAt(
      problemsOf(text, { context: { channels: { names: () => ['ops-slack'] } } }),
      16,
      24,
      /notification channel "ops-slak" is not defined in config\/notifications\.yaml\. Known channels: ops-slack/,
    );
    expect(problemsOf(text)).toEqual([]);
  });

  it('reports human.review when server.public_url is known to be unset, and only then', () => {
    const text = hello({ 7: '    block: human.review', 9: '      title: Send it?' });
    const problems = problemsOf(text, { context: { publicUrl: null } });
    const warning = expectProblemAt(
      problems,
      7,
      12,
      /server\.public_url is not set, so email, Slack and webhook notifications go out without one .*TRELLIS_SERVER__PUBLIC_URL/,
      'warning',
    );
    expect(warning.node).toBe('greet');
    expect(problemsOf(text, { context: { publicUrl: 'https://trellis.example.com' } }).filter((p) => /public_url/.test(p.message))).toEqual([]);
    expect(problemsOf(text).filter((p) => /public_url/.test(p.message))).toEqual([]);
    expect(problemsOf(hello(), { context: { publicUrl: null } }).filter((p) => /public_url/.test(p.message))).toEqual([]);
  });
});

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
    expect(errorsOf(retry('{ attempts: 3, on: [transient, LLM_INVALID_ANSWER] }'))).toEqual([]);
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
