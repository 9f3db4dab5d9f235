// `trellis test`, in-process, with the real block library and the engine's in-memory runner.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultDeps, testCommand } from '../../src/agents/agents.command.js';
import { yaml } from './fixtures/check.js';
import { capture, tempProject } from './fixtures/cli.js';

const GREETER = yaml(
  'name: greeter',
  'nodes:',
  '  who:',
  '    block: input',
  '    inputs: { name: who, type: string, default: world }',
  '  greet:',
  '    block: text.template',
  '    inputs: { template: "Hello, {{ who }}!" }',
  '  greeting:',
  '    block: output',
  '    inputs: { name: greeting }',
  'links:',
  '  - who.value -> greet.values.who',
  '  - greet.text -> greeting.value',
  'tests:',
  '  - name: greets the world',
  '    expect: { outputs: { greeting: ["Hello, world!"] }, ran: [greet] }',
  '  - name: greets Ada',
  '    inputs: { who: Ada }',
  '    expect: { outputs: { greeting: ["Hello, Ada!"] } }',
);

// Waits two hours and retries a failing node with a 1-minute backoff: virtual time, so the test is quick
// (and the execution timeout still holds: without `timeout: 3h` the default 1h stops it).
const WAITER = yaml(
  'name: waiter',
  'timeout: 3h',
  'nodes:',
  '  start:',
  '    block: input',
  '    inputs: { name: start, default: go }',
  '  wait:',
  '    block: time.delay',
  '    inputs: { duration: 2h }',
  '  flaky:',
  '    block: json.query',
  '    inputs: { expression: "$" }',
  '    retry: { attempts: 3, backoff: fixed, delay: 1m }',
  '  done:',
  '    block: output',
  '    inputs: { name: done }',
  'links:',
  '  - start.value -> wait.value',
  '  - wait.value -> flaky.data',
  '  - flaky.result -> done.value',
  'tests:',
  '  - name: waits, then passes the value on',
  '    expect: { outputs: { done: [go] }, ran: [wait, flaky] }',
  '  - name: a node that keeps failing fails the run after its retries',
  '    mocks: { flaky: { error: { code: NODE_FAILED, message: "still down" } } }',
  '    expect: { error: { code: NODE_FAILED, node_id: flaky }, not_ran: [done] }',
);

const PARENT = yaml(
  'name: parent',
  'nodes:',
  '  child:',
  '    block: agent.run',
  '    inputs: { agent: greeter, inputs: { who: Bob } }',
  '  out:',
  '    block: output',
  '    inputs: { name: said }',
  'links:',
  '  - child.greeting -> out.value',
  'tests:',
  '  - name: runs the sub-agent',
  '    expect: { outputs: { said: ["Hello, Bob!"] }, ran: [child] }',
);

// vars and ${{ }} expressions, fed by a with link: typed when whole, text otherwise; a bad one fails with EXPRESSION_FAILED.
const EXPRESSIONS = yaml(
  'name: shouter',
  'vars: { greeting: Hello, times: 2 }',
  'nodes:',
  '  who:',
  '    block: input',
  '    inputs: { name: who, type: object, default: { name: world } }',
  '  shout:',
  '    block: text.join',
  '    inputs:',
  '      items: "${{ [vars.greeting, $uppercase(with.who.name)] }}"',
  '      separator: "${{ with.who.name ? \' \' : with.who.missing }}"',
  '  said:',
  '    block: output',
  '    inputs: { name: said }',
  'links:',
  '  - who.value -> shout.with.who',
  '  - shout.text -> said.value',
  'tests:',
  '  - name: evaluates expressions against vars and with',
  '    expect: { outputs: { said: ["Hello WORLD"] } }',
  '  - name: an expression without a value fails the node',
  '    inputs: { who: { nom: x } }',
  '    expect: { error: { code: EXPRESSION_FAILED, node_id: shout } }',
);

const FAILING = GREETER.replace('name: greeter', 'name: wrong').replace('["Hello, Ada!"]', '["Hi, Ada!"]');

describe('trellis test', () => {
  let good: ReturnType<typeof tempProject>;
  let bad: ReturnType<typeof tempProject>;
  beforeAll(() => {
    good = tempProject({ 'agents/shouter.yaml': EXPRESSIONS, 'agents/greeter.yaml': GREETER, 'agents/waiter.yaml': WAITER, 'agents/sub/parent.yaml': PARENT });
    bad = tempProject({
      'agents/wrong.yaml': FAILING,
      'agents/broken.yaml': 'name: broken\nnodes: { a: { block: nope } }\n',
      'agents/typed.yaml': [
        'name: typed',
        'vars: { limit: "100" }',
        'nodes:',
        '  n: { block: input, inputs: { name: n, type: number } }',
        '  big: { block: logic.condition, inputs: { operator: ">=", right: "${{ vars.limit }}" }, retry: { attempts: 2, on: [TIMEOUT] } }',
        'links: [n.value -> big.left]',
        '',
      ].join('\n'),
    });
  });
  afterAll(() => {
    good.remove();
    bad.remove();
  });

  it('runs every test of the folder and exits 0 when all pass', async () => {
    const c = capture(good.dir);
    const code = await testCommand(undefined, c.io, defaultDeps);
    if (code !== 0) throw new Error(c.out() + c.err());
    expect(c.out()).toBe(
      [
        'greeter (agents/greeter.yaml)',
        '  ok   greets the world',
        '  ok   greets Ada',
        'shouter (agents/shouter.yaml)',
        '  ok   evaluates expressions against vars and with',
        '  ok   an expression without a value fails the node',
        'parent (agents/sub/parent.yaml)',
        '  ok   runs the sub-agent',
        'waiter (agents/waiter.yaml)',
        '  ok   waits, then passes the value on',
        '  ok   a node that keeps failing fails the run after its retries',
        '',
        '7 tests, 7 passed, 0 failed',
        '',
      ].join('\n'),
    );
  });

  it('keeps time limits in virtual time: a 2h delay outlives the default 1h execution timeout', async () => {
    const project = tempProject({ 'agents/waiter.yaml': WAITER.replace('timeout: 3h\n', '') });
    try {
      const c = capture(project.dir);
      expect(await testCommand(undefined, c.io, defaultDeps)).toBe(1);
      expect(c.out()).toContain('actual:   FAILED (EXECUTION_TIMEOUT: The execution ran longer than its timeout of 1h and was stopped.');
    } finally {
      project.remove();
    }
  });

  it('runs the tests of one file, with the folder around it for sub-agents', async () => {
    const c = capture(good.dir);
    expect(await testCommand('agents/sub/parent.yaml', c.io, defaultDeps)).toBe(0);
    expect(c.out()).toContain('1 test, 1 passed, 0 failed');
  });

  it('exits 1 on a failing test, showing expected against actual', async () => {
    const c = capture(bad.dir);
    expect(await testCommand('agents/wrong.yaml', c.io, defaultDeps)).toBe(1);
    expect(c.out()).toBe(
      [
        'wrong (agents/wrong.yaml)',
        '  ok   greets the world',
        '  FAIL greets Ada',
        '       outputs.greeting:',
        '         expected: ["Hi, Ada!"]',
        '         actual:   ["Hello, Ada!"]',
        '',
        '2 tests, 1 passed, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('refuses to test agents that do not validate, naming their problems', async () => {
    const c = capture(bad.dir);
    expect(await testCommand(undefined, c.io, defaultDeps)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('agents/broken.yaml:2:22: unknown block "nope"');
    expect(c.err()).toContain('agents/typed.yaml:5:68: node "big" (logic.condition): right takes a number');
    expect(c.err()).toContain('but ${{ vars.limit }} gives text (the text "100" in "vars:")');
    expect(c.err()).toMatch(/agents\/typed\.yaml:5:117: retry\.on lists TIMEOUT, which logic\.condition never fails with, so it would never be retried\. Did you mean "NODE_TIMEOUT"\?/);
    expect(c.err()).toContain('2 agents failed validation; fix them before testing');
  });
});
