// The scheduler's tables of cases, how values flow: chains, fan-out, FIFO pairing, static and sticky pins, gathers,
// key paths, branches and loops. Failures, the node cap, retries and seeding are in scheduler.failures.spec.ts.
import { describe, it } from '@jest/globals';
import { graph } from './engine.fixtures.js';
import { expectCase, input, out, type Case } from './scheduler.fixtures.js';

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
    name: 'a node without incoming links runs once at the start',
    graph: graph({ c: 'test.const', r: out('r') }, ['c.now -> r.value']),
    outputs: { r: [42] },
    runs: { c: 1 },
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
  it.each(cases)('$name', expectCase);
});
