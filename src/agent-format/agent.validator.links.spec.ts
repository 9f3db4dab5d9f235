// The validator's rules for links (form, ends, pin types, constants, duplicates) and required pins.
import { describe, expect, it } from '@jest/globals';
import { errorsOf, expectProblemAt, problemsOf, yaml } from '../../test/agents/fixtures/check.js';
import { hello } from './agent.validator.fixtures.js';

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
