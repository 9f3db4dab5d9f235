import { describe, expect, it } from '@jest/globals';
import { drive, graph, testLookup } from './engine.fixtures.js';
import type { Seed } from './engine.types.js';
import { compileGraph } from './graph.compiler.js';
import { ExecutionScheduler, type SchedulerOptions } from './scheduler.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';

const blocks = testLookup();

function run(definition: AgentDefinition, seed: Seed = { inputs: {} }, options: SchedulerOptions = {}) {
  const scheduler = new ExecutionScheduler(compileGraph(definition, blocks), options);
  const driven = drive(scheduler, blocks, { first: scheduler.seed(seed) });
  const incomplete = scheduler.nodeRuns.filter((r) => r.status === 'INCOMPLETE').map((r) => ({ node: r.node, inputs: r.inputs }));
  const runsOf = (node: string) => scheduler.nodeRuns.filter((r) => r.node === node && r.status !== 'INCOMPLETE').length;
  return {
    scheduler,
    status: scheduler.executionStatus,
    error: scheduler.executionError,
    outputs: scheduler.outputs(),
    incomplete,
    runsOf,
    attempts: driven.attempts,
  };
}

const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string, extra: Record<string, unknown> = {}) => ({ block: 'input', inputs: { name, ...extra } });

interface Case {
  name: string;
  graph: AgentDefinition;
  seed?: Seed;
  options?: SchedulerOptions;
  status?: string;
  outputs?: Record<string, unknown[]>;
  error?: { code: string; node_id: string | null; message?: RegExp };
  incomplete?: Array<{ node: string; inputs: Record<string, unknown> }>;
  runs?: Record<string, number>;
}

const cases: Case[] = [
  {
    name: 'linear chain',
    graph: graph({ x: input('x'), a: 'test.pass', b: 'test.pass', r: out('r') }, ['x.value -> a.value', 'a.value -> b.value', 'b.value -> r.value']),
    seed: { inputs: { x: 7 } },
    outputs: { r: [7] },
    runs: { a: 1, b: 1, r: 1 },
  },
  {
    name: 'diamond joins both branches once',
    graph: graph({ x: input('x'), a: 'test.pass', b: 'test.pass', add: 'test.add', r: out('r') }, [
      'x.value -> a.value',
      'x.value -> b.value',
      'a.value -> add.a',
      'b.value -> add.b',
      'add.sum -> r.value',
    ]),
    seed: { inputs: { x: 2 } },
    outputs: { r: [4] },
    runs: { add: 1 },
  },
  {
    name: 'fan-out from a streaming iterate runs the sink once per item',
    graph: graph({ x: input('x'), it: 'test.iterate', p: 'test.pass', items: out('items'), count: out('count') }, [
      'x.value -> it.items',
      'it.item -> p.value',
      'p.value -> items.value',
      'it.count -> count.value',
    ]),
    seed: { inputs: { x: ['a', 'b', 'c'] } },
    outputs: { items: ['a', 'b', 'c'], count: [3] },
    runs: { it: 1, p: 3 },
  },
  {
    name: 'FIFO pairing of two pins',
    graph: graph(
      { l: { block: 'test.spread', inputs: { items: [1, 2, 3] } }, m: { block: 'test.spread', inputs: { items: [10, 20, 30] } }, add: 'test.add', r: out('r') },
      ['l.item -> add.a', 'm.item -> add.b', 'add.sum -> r.value'],
    ),
    outputs: { r: [11, 22, 33] },
    runs: { add: 3 },
  },
  {
    name: 'values that never found partners stay INCOMPLETE',
    graph: graph(
      { l: { block: 'test.spread', inputs: { items: [1, 2, 3] } }, m: { block: 'test.spread', inputs: { items: [10] } }, add: 'test.add', r: out('r') },
      ['l.item -> add.a', 'm.item -> add.b', 'add.sum -> r.value'],
    ),
    outputs: { r: [11] },
    incomplete: [
      { node: 'add', inputs: { a: 2 } },
      { node: 'add', inputs: { a: 3 } },
    ],
  },
  {
    name: 'links out of input nodes are static: reused for every run',
    graph: graph({ k: input('k'), l: { block: 'test.spread', inputs: { items: [1, 2, 3] } }, add: 'test.add', r: out('r') }, [
      'k.value -> add.a',
      'l.item -> add.b',
      'add.sum -> r.value',
    ]),
    seed: { inputs: { k: 100 } },
    outputs: { r: [101, 102, 103] },
    incomplete: [],
  },
  {
    name: 'an explicit static link is reused, even when it arrives after the other values',
    graph: graph({ l: { block: 'test.spread', inputs: { items: [1, 2] } }, c: 'test.const', add: 'test.add', r: out('r') }, [
      'l.item -> add.a',
      { from: 'c.now', to: 'add.b', static: true },
      'add.sum -> r.value',
    ]),
    outputs: { r: [43, 44] },
    incomplete: [],
  },
  {
    name: 'a sticky pin is kept for every run',
    graph: graph({ c: 'test.const', l: { block: 'test.spread', inputs: { items: ['x', 'y', 'z'] } }, s: 'test.store', r: out('r') }, [
      'c.now -> s.data',
      'l.item -> s.input',
      's.output -> r.value',
    ]),
    outputs: { r: [42, 42, 42] },
    runs: { s: 3 },
  },
  {
    name: 'gather without count fires once when the execution goes quiet',
    graph: graph({ l: { block: 'test.spread', inputs: { items: [1, 2, 3] } }, col: 'test.collect', items: out('items'), complete: out('complete') }, [
      'l.item -> col.item',
      'col.items -> items.value',
      'col.complete -> complete.value',
    ]),
    outputs: { items: [[1, 2, 3]], complete: [false] },
    runs: { col: 1 },
  },
  {
    name: 'gather with a constant count fires every count values, the rest at quiet',
    graph: graph(
      {
        l: { block: 'test.spread', inputs: { items: [1, 2, 3, 4, 5] } },
        col: { block: 'test.collect', inputs: { count: 2 } },
        items: out('items'),
        complete: out('complete'),
      },
      ['l.item -> col.item', 'col.items -> items.value', 'col.complete -> complete.value'],
    ),
    outputs: { items: [[1, 2], [3, 4], [5]], complete: [true, true, false] },
  },
  {
    name: 'gather with a linked (sticky) count',
    graph: graph({ n: input('n'), x: input('x'), it: 'test.iterate', col: 'test.collect', items: out('items'), complete: out('complete') }, [
      'x.value -> it.items',
      'it.item -> col.item',
      'n.value -> col.count',
      'col.items -> items.value',
      'col.complete -> complete.value',
    ]),
    seed: { inputs: { n: 3, x: ['a', 'b', 'c'] } },
    outputs: { items: [['a', 'b', 'c']], complete: [true] },
  },
  {
    name: 'gathers flush in rank order, so a collect of collects sees everything',
    graph: graph({ l: { block: 'test.spread', inputs: { items: [1, 2] } }, c1: 'test.collect', p: 'test.pass', c2: 'test.collect', r: out('r') }, [
      'l.item -> c1.item',
      'c1.items -> p.value',
      'p.value -> c2.item',
      'c2.items -> r.value',
    ]),
    outputs: { r: [[[1, 2]]] },
  },
  {
    name: 'source-side key paths pick keys and list items',
    graph: graph({ x: input('x'), a: 'test.pass', name: out('name'), second: out('second') }, [
      'x.value.user.name -> a.value',
      'a.value -> name.value',
      'x.value.list.1 -> second.value',
    ]),
    seed: { inputs: { x: { user: { name: 'ada' }, list: [5, 6] } } },
    outputs: { name: ['ada'], second: [6] },
  },
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
    name: 'sink-side dict keys merge over the constant dict',
    graph: graph({ x: input('x'), y: input('y'), f: { block: 'test.format', inputs: { values: { a: 1, b: 0 } } }, r: out('r') }, [
      'x.value -> f.values.b',
      'y.value -> f.values.c',
      'f.text -> r.value',
    ]),
    seed: { inputs: { x: 2, y: 3 } },
    outputs: { r: ['a=1,b=2,c=3'] },
  },
  {
    name: 'each sink-side key waits for its own value',
    graph: graph(
      {
        l: { block: 'test.spread', inputs: { items: ['p', 'q'] } },
        f: { block: 'test.format', inputs: { values: { a: 1 } } },
        never: { block: 'test.branch', inputs: { value: false } },
        r: out('r'),
      },
      ['l.item -> f.values.b', 'never.yes -> f.values.c', 'f.text -> r.value'],
    ),
    outputs: { r: [] },
    incomplete: [
      { node: 'f', inputs: { 'values.b': 'p' } },
      { node: 'f', inputs: { 'values.b': 'q' } },
    ],
  },
  {
    name: 'a branch that never fires never runs',
    graph: graph({ x: input('x'), br: 'test.branch', p: 'test.pass', yes: out('yes'), no: out('no') }, [
      'x.value -> br.value',
      'br.no -> p.value',
      'p.value -> no.value',
      'br.yes -> yes.value',
    ]),
    seed: { inputs: { x: true } },
    outputs: { yes: [true], no: [] },
    runs: { p: 0, no: 0 },
    incomplete: [],
  },
  {
    name: 'a loop runs until its exit',
    graph: graph({ n: input('n'), cd: 'test.countdown', r: out('r') }, ['n.value -> cd.n', 'cd.next -> cd.n', 'cd.done -> r.value']),
    seed: { inputs: { n: 3 } },
    outputs: { r: [0] },
    runs: { cd: 4 },
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
    name: 'outputs keep arrival order, and every output name is present',
    graph: graph(
      {
        l: { block: 'test.spread', inputs: { items: [3, 1, 2] } },
        r: out('r'),
        never: { block: 'test.branch', inputs: { value: false } },
        empty: out('empty'),
      },
      ['l.item -> r.value', 'never.yes -> empty.value'],
    ),
    outputs: { r: [3, 1, 2], empty: [] },
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
    name: 'a node without incoming links runs once at the start',
    graph: graph({ c: 'test.const', r: out('r') }, ['c.now -> r.value']),
    outputs: { r: [42] },
    runs: { c: 1 },
  },
  {
    name: 'a required pin that is neither constant nor linked fails the node',
    graph: graph({ x: input('x'), add: 'test.add', r: out('r') }, ['x.value -> add.a', 'add.sum -> r.value']),
    seed: { inputs: { x: 1 } },
    status: 'FAILED',
    error: { code: 'NODE_FAILED', node_id: 'add', message: /required input pin "b" has no value/ },
  },
  {
    name: 'a linked pin waits for its link even when it has a constant',
    graph: graph({ never: { block: 'test.branch', inputs: { value: false } }, add: { block: 'test.add', inputs: { a: 1, b: 2 } }, r: out('r') }, [
      'never.yes -> add.a',
      'add.sum -> r.value',
    ]),
    outputs: { r: [] },
    runs: { add: 0 },
  },
];

describe('ExecutionScheduler', () => {
  it.each(cases)('$name', (c) => {
    const result = run(c.graph, c.seed, c.options);
    expect(result.status).toBe(c.status ?? 'COMPLETED');
    if (c.status === undefined || c.status === 'COMPLETED') expect(result.error).toBeNull();
    if (c.outputs) expect(result.outputs).toEqual(c.outputs);
    if (c.error) {
      expect(result.error).toMatchObject({ code: c.error.code, node_id: c.error.node_id });
      if (c.error.message) expect(result.error!.message).toMatch(c.error.message);
    }
    if (c.incomplete) expect(result.incomplete).toEqual(c.incomplete);
    for (const [node, count] of Object.entries(c.runs ?? {})) expect({ node, runs: result.runsOf(node) }).toEqual({ node, runs: count });
  });
});
