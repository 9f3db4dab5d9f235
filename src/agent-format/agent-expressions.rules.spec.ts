import { describe, expect, it } from '@jest/globals';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { errorsOf as errorsWith, expectProblemAt, yaml } from '../../test/agents/fixtures/check.js';

const registry = new BlocksRegistry(BLOCK_LIBRARY);
const errorsOf = (text: string) => errorsWith(text, { context: { blocks: registry } });

// An agent with vars, a webhook and an http.request whose url and json use expressions; tests change one line.
const ORDERS = [
  'name: orders', //                                                            1
  'vars:', //                                                                   2
  '  api: https://orders.example.com', //                                      3
  '  big_order: 100', //                                                        4
  'nodes:', //                                                                  5
  '  hook: { block: trigger.webhook }', //                                      6
  '  fetch:', //                                                                7
  '    block: http.request', //                                                 8
  '    inputs:', //                                                             9
  '      url: "${{ vars.api }}/orders/${{ with.order.id }}"', //               10
  "      json: \"${{ { 'qty': with.order.qty, 'big': with.order.total > vars.big_order } }}\"", // 11
  '      timeout: "${{ $string(vars.big_order) & \'s\' }}"', //                 12
  'links:', //                                                                 13
  '  - hook.body -> fetch.with.order', //                                      14
];
const orders = (replace: Record<number, string> = {}): string => yaml(...ORDERS.map((line, i) => replace[i + 1] ?? line));

describe('${{ }} in constants', () => {
  it('accepts vars, with links, object constructors ending in } }}, and whole expressions in typed pins', () => {
    expect(errorsOf(orders())).toEqual([]);
  });

  it('reports a syntax error at the line and column of its ${{', () => {
    expectProblemAt(errorsOf(orders({ 10: '      url: "${{ vars.api }}/orders/${{ with.order.( }}"' })), 10, 36, /not a valid JSONata expression/);
  });

  it('reports an unclosed ${{ and an empty one', () => {
    expectProblemAt(errorsOf(orders({ 12: '      timeout: "${{ vars.big_order"' })), 12, 17, /not closed with }}/);
    expectProblemAt(errorsOf(orders({ 12: '      timeout: "30s${{ }}"' })), 12, 20, /is empty/);
  });

  it('reports an undeclared var with the closest declared one', () => {
    expectProblemAt(errorsOf(orders({ 10: '      url: "${{ vars.apii }}/orders"' })), 10, 13, /reads vars\.apii, which "vars:" does not declare.*api/);
  });

  it('reports a with name no link feeds', () => {
    expectProblemAt(
      errorsOf(orders({ 10: '      url: "${{ vars.api }}/orders/${{ with.ordr.id }}"' })),
      10,
      36,
      /reads with\.ordr, but no link ends at fetch\.with\.ordr/,
    );
  });

  it('reports a name outside vars, with, execution and trigger', () => {
    expectProblemAt(
      errorsOf(orders({ 12: '      timeout: "${{ order.total }}"' })),
      12,
      17,
      /reads "order": expressions read vars, with, execution and trigger/,
    );
  });

  it('refuses a host from data in a URL pin, and a whole URL from data', () => {
    expectProblemAt(
      errorsOf(orders({ 10: '      url: "https://${{ with.order.host }}/x"' })),
      10,
      21,
      /url is a URL: its scheme and host must be written out or come from vars/,
    );
    expectProblemAt(errorsOf(orders({ 10: '      url: "${{ with.order.url }}"' })), 10, 13, /scheme and host/);
    expect(errorsOf(orders({ 10: '      url: "https://${{ vars.api }}/x?q=${{ with.order.q }}"' }))).toEqual([]);
  });

  it('refuses ${{ }} in pins read as written, in trigger inputs and in credentials', () => {
    const template = yaml(
      'name: tt',
      'vars: { x: 1 }',
      'nodes:',
      '  hook: { block: trigger.webhook, inputs: { event: "${{ vars.x }}" } }',
      '  fmt: { block: text.template, inputs: { template: "Hi ${{ vars.x }}" } }',
      '  post: { block: http.request, inputs: { url: "https://a.example.com" }, credentials: { credential: "${{ vars.x }}" } }',
    );
    const errors = errorsOf(template);
    expectProblemAt(errors, 4, 53, /trigger\.webhook\.event takes no \$\{\{ \}\} \(trigger inputs are read when the agent is synced\)/);
    expectProblemAt(errors, 5, 56, /text\.template\.template takes no \$\{\{ \}\} \(this pin is read as written\)/);
    expect(errors.filter((p) => p.line === 6).map((p) => p.message)).toContain('a credential is named as written: ${{ }} is not allowed here');
  });

  it('keeps $${{ as literal text', () => {
    expect(errorsOf(orders({ 12: '      timeout: "$${{ not an expression }}"' })).map((p) => p.message)).toEqual([
      expect.stringMatching(/timeout/), // the literal text is not a duration: the pin's own check still applies
    ]);
  });

  it('wants a name on a with link', () => {
    expectProblemAt(errorsOf(orders({ 14: '  - hook.body -> fetch.with' })), 14, 5, /"with" is reserved for expressions; name the value: fetch\.with\.<name>/);
  });
});

describe('static type checks of constants', () => {
  const CONDITION = (right: string, operator = '">="') =>
    yaml(
      'name: check',
      'nodes:',
      '  n: { block: input, inputs: { name: n, type: number } }',
      `  big: { block: logic.condition, inputs: { operator: ${operator}, right: ${right} } }`,
      'links:',
      '  - n.value -> big.left',
    );

  it('refuses a text constant compared with >=, at the constant', () => {
    expectProblemAt(errorsOf(CONDITION('"100"')), 4, 67, /right.*number.*write 100, not "100"/);
  });

  it('accepts a number, and text with == (deep equality takes any value)', () => {
    expect(errorsOf(CONDITION('100'))).toEqual([]);
    expect(errorsOf(CONDITION('"100"', '"=="'))).toEqual([]);
  });

  const withVars = (vars: string, right: string, operator = '">="') => CONDITION(right, operator).replace('nodes:', `vars: ${vars}\nnodes:`);

  it('refuses a whole ${{ }} whose type is known and wrong, at its ${{, saying what the pin takes and what it gives', () => {
    const textVar = errorsOf(withVars('{ limit: "100" }', '"${{ vars.limit }}"'));
    expect(textVar).toHaveLength(1);
    expectProblemAt(
      textVar,
      5,
      68,
      /^node "big" \(logic\.condition\): right takes a number \(>, >=, < and <= compare numbers only; write 100, not "100"\), but \$\{\{ vars\.limit \}\} gives text \(the text "100" in "vars:"\)/,
    );
    expectProblemAt(errorsOf(withVars('{ limit: 100 }', '"${{ vars.limit & \'\' }}"')), 5, 68, /right takes a number .* gives text\./);
    expectProblemAt(errorsOf(withVars('{ limit: 100 }', '"${{ vars.limit > 5 }}"')), 5, 68, /right takes a number .* gives true or false\./);
    expectProblemAt(errorsOf(withVars('{ t: { n: "x" } }', '"${{ vars.t.n }}"')), 5, 68, /gives text \(the text "x" in "vars:"\)/);
    // Text with ${{ }} in it is text, whatever the expressions give.
    expectProblemAt(
      errorsOf(withVars('{ limit: 100 }', '"${{ vars.limit }}0"')),
      5,
      68,
      /right takes a number .*, but text with \$\{\{ \}\} in it gives text\./,
    );
    // Another block: a whole number pin of http.request given an object.
    const timeout = yaml('name: t', 'nodes:', '  get: { block: http.request, inputs: { url: "https://a.example.com", retries: 1, timeout: "${{ {} }}" } }');
    expect(errorsOf(timeout).map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/timeout takes .*, but \$\{\{ \{\} \}\} gives an object/)]),
    );
  });

  it('checks inside a constant that holds ${{ }}: a known wrong type at its ${{, and the plain values beside it', () => {
    const post = (headers: string) =>
      yaml(
        'name: post',
        'vars: { n: 5, token: abc }',
        'nodes:',
        `  send: { block: http.request, inputs: { url: "https://a.example.com", headers: ${headers} } }`,
      );
    expectProblemAt(
      errorsOf(post('{ A: "${{ vars.token }}", B: "${{ vars.n }}" }')),
      4,
      111,
      /^node "send" \(http\.request\): headers\.B takes text, but \$\{\{ vars\.n \}\} gives a number/,
    );
    expectProblemAt(
      errorsOf(post('{ A: "${{ vars.token }}", B: 7 }')),
      4,
      110,
      /^node "send" \(http\.request\): headers \(at \/B\): expected text, got the number 7/,
    );
    expect(errorsOf(post('{ A: "${{ vars.token }}", B: "x${{ vars.n }}" }'))).toEqual([]);
    expect(errorsOf(post('{ A: "${{ trigger.token }}", B: "${{ $string(vars.n) }}" }'))).toEqual([]);
  });

  it('accepts what fits, and never refuses what it cannot know: with, trigger, unknown functions, null and list vars, formats', () => {
    expect(errorsOf(withVars('{ limit: 100 }', '"${{ vars.limit }}"'))).toEqual([]);
    expect(errorsOf(withVars('{ limit: 100 }', '"${{ vars.limit * 2 }}"'))).toEqual([]);
    expect(errorsOf(withVars('{ limit: 100 }', '"${{ $number(\'100\') }}"'))).toEqual([]);
    expect(errorsOf(withVars('{ limit: null }', '"${{ vars.limit }}"'))).toEqual([]);
    expect(errorsOf(withVars('{ limit: [1] }', '"${{ vars.limit }}"'))).toEqual([]);
    expect(errorsOf(withVars('{ limit: 1 }', '"${{ $lookup(vars, \'limit\') }}"'))).toEqual([]);
    expect(errorsOf(withVars('{ limit: 1 }', '"${{ execution.id }}"'))).toEqual([]);
    // With ==, right takes any value: text is fine.
    expect(errorsOf(withVars('{ limit: "100" }', '"${{ vars.limit }}"', '"=="'))).toEqual([]);
    // Only the type is checked: a var's value that is text of another format is left to run time (an environment may override it).
    expect(errorsOf(orders({ 3: '  api: not a url' }))).toEqual([]);
  });
});
