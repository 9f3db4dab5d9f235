// The scheduler's tables of cases, when things go wrong: node failures and the error pin, missing link keys, the
// node-execution cap, retries, and seeding (missing graph inputs, trigger runs).
import { describe, it } from '@jest/globals';
import { graph } from './engine.fixtures.js';
import { expectCase, input, out, type Case } from './scheduler.fixtures.js';

const cases: Case[] = [
  {
    name: 'a missing key fails the sink with LINK_KEY_MISSING',
    graph: graph({ x: input('x'), a: 'test.pass', r: out('r') }, ['x.value.user.email -> a.value', 'a.value -> r.value']),
    seed: { inputs: { x: { user: { name: 'ada' } } } },
    status: 'FAILED',
    error: {
      code: 'LINK_KEY_MISSING',
      node_id: 'a',
      message: /x\.value\.user\.email -> a\.value: the value has no key "email" under "user" \(it is an object with keys name\)/,
    },
    outputs: { r: [] },
  },
  {
    name: 'a missing key is routable by the sink error pin',
    graph: graph({ x: input('x'), a: 'test.pass', r: out('r'), err: out('err') }, [
      'x.value.missing -> a.value',
      'a.value -> r.value',
      'a.error.code -> err.value',
    ]),
    seed: { inputs: { x: {} } },
    status: 'COMPLETED',
    outputs: { r: [], err: ['LINK_KEY_MISSING'] },
  },
  {
    name: 'an endless loop is stopped by the node-execution cap',
    graph: graph({ x: input('x'), a: 'test.pass', r: out('r') }, ['x.value -> a.value', 'a.value -> a.value', 'a.value -> r.value']),
    seed: { inputs: { x: 1 } },
    options: { maxNodeExecutions: 25 },
    status: 'FAILED',
    error: { code: 'NODE_LIMIT', node_id: 'a', message: /limit of 25 node executions/ },
  },
  {
    name: 'the cap is not routable to an error pin',
    graph: graph({ x: input('x'), a: 'test.pass', e: out('e') }, ['x.value -> a.value', 'a.value -> a.value', 'a.error -> e.value']),
    seed: { inputs: { x: 1 } },
    options: { maxNodeExecutions: 5 },
    status: 'FAILED',
    error: { code: 'NODE_LIMIT', node_id: 'a' },
    outputs: { e: [] },
  },
  {
    name: 'an unhandled node failure fails the execution',
    graph: graph({ x: input('x'), f: { block: 'test.flaky', inputs: { message: 'boom' } }, r: out('r') }, ['x.value -> f.value', 'f.value -> r.value']),
    seed: { inputs: { x: 1 } },
    status: 'FAILED',
    error: { code: 'NODE_FAILED', node_id: 'f', message: /^boom$/ },
  },
  {
    name: 'a handled node failure sends {code, message} along the error link and goes on',
    graph: graph({ x: input('x'), f: { block: 'test.flaky', inputs: { message: 'boom' } }, r: out('r'), e: out('e') }, [
      'x.value -> f.value',
      'f.value -> r.value',
      'f.error -> e.value',
    ]),
    seed: { inputs: { x: 1 } },
    status: 'COMPLETED',
    outputs: { r: [], e: [{ code: 'NODE_FAILED', message: 'boom' }] },
  },
  {
    name: 'retries until an attempt succeeds',
    graph: graph({ x: input('x'), f: { block: 'test.flaky', inputs: { fail_until: 2 }, retry: { attempts: 3, backoff: 'fixed', delay: 10 } }, r: out('r') }, [
      'x.value -> f.value',
      'f.value -> r.value',
    ]),
    seed: { inputs: { x: 'ok' } },
    outputs: { r: ['ok'] },
    runs: { f: 1 },
  },
  {
    name: 'retries exhausted: the last error counts',
    graph: graph({ x: input('x'), f: { block: 'test.flaky', inputs: { fail_until: 5 }, retry: { attempts: 2, backoff: 'fixed', delay: 10 } }, r: out('r') }, [
      'x.value -> f.value',
      'f.value -> r.value',
    ]),
    seed: { inputs: { x: 'ok' } },
    status: 'FAILED',
    error: { code: 'NODE_FAILED', node_id: 'f', message: /failed on attempt 2/ },
  },
  {
    name: 'a missing required graph input fails with MISSING_INPUT naming every missing one',
    graph: graph({ a: input('a'), b: input('b'), c: input('c', { default: 1 }), r: out('r') }, ['a.value -> r.value', 'b.value -> r.value']),
    seed: { inputs: {} },
    status: 'FAILED',
    error: { code: 'MISSING_INPUT', node_id: null, message: /required inputs "a", "b": pass them as inputs/ },
    outputs: { r: [] },
  },
  {
    name: 'a trigger run seeds inputs with their defaults only, and fails on a required one',
    graph: graph({ t: 'test.trigger', a: input('a'), r: out('r') }, ['t.body -> r.value', 'a.value -> r.value']),
    seed: { trigger: { node: 't', outputs: { body: 'b' } } },
    status: 'FAILED',
    error: { code: 'MISSING_INPUT', node_id: null, message: /trigger "t" cannot give a value to the required input "a"/ },
  },
  {
    name: 'a trigger run delivers the event and input defaults',
    graph: graph({ t: 'test.trigger', other: 'test.trigger', a: input('a', { default: 5 }), add: 'test.add', r: out('r'), o: out('o') }, [
      't.body -> add.a',
      'a.value -> add.b',
      'add.sum -> r.value',
      'other.body -> o.value',
    ]),
    seed: { trigger: { node: 't', outputs: { body: 1, headers: {} } } },
    outputs: { r: [6], o: [] },
  },
  {
    name: 'a required pin that is neither constant nor linked fails the node',
    graph: graph({ x: input('x'), add: 'test.add', r: out('r') }, ['x.value -> add.a', 'add.sum -> r.value']),
    seed: { inputs: { x: 1 } },
    status: 'FAILED',
    error: { code: 'NODE_FAILED', node_id: 'add', message: /required input pin "b" has no value/ },
  },
];

describe('ExecutionScheduler', () => {
  it.each(cases)('$name', expectCase);
});
