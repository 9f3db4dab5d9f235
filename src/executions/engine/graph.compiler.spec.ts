import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { graph, testLookup } from './engine.fixtures.js';
import { compileGraph } from './graph.compiler.js';

const blocks = testLookup();

describe('compileGraph', () => {
  const compiled = compileGraph(
    graph(
      {
        x: { block: 'input', inputs: { name: 'size' } },
        l: { block: 'test.spread', inputs: { items: [] } },
        c: 'test.collect',
        f: { block: 'test.format', inputs: { values: {} } },
        add: 'test.add',
        s: 'test.store',
        r: { block: 'output', inputs: { name: 'result' } },
        t: 'test.trigger',
      },
      [
        'x.value -> c.count',
        'l.item -> c.item',
        'l.item -> f.values.a',
        'l.item -> f.values.b',
        { from: 'l.item', to: 'add.a', static: true },
        'x.value -> add.b',
        'l.item -> add.b',
        'l.item -> s.input',
        'l.item -> s.data',
        'c.items -> r.value',
        'add.sum.k -> r.value',
      ],
    ),
    blocks,
  );
  const node = (id: string) => compiled.nodes.get(id)!;

  it('derives slot modes from pin modes and static links; input links are static', () => {
    expect(node('c').slots.map((s) => [s.key, s.mode])).toEqual([
      ['count', 'held'],
      ['item', 'gather'],
    ]);
    expect(node('f').slots.map((s) => [s.key, s.pin, s.dictKey, s.mode])).toEqual([
      ['values.a', 'values', 'a', 'queue'],
      ['values.b', 'values', 'b', 'queue'],
    ]);
    expect(node('add').slots.map((s) => [s.key, s.mode])).toEqual([
      ['a', 'held'],
      ['b', 'queue'],
    ]);
    expect(node('s').slots.map((s) => [s.key, s.mode])).toEqual([
      ['input', 'queue'],
      ['data', 'held'],
    ]);
    expect(node('c').gatherCountPin).toBe('count');
  });

  it('indexes outgoing links by pin with their key paths', () => {
    expect(
      node('add')
        .outgoing.get('sum')!
        .map((l) => [l.label, l.path]),
    ).toEqual([['add.sum.k -> r.value', ['k']]]);
    expect(node('l').outgoing.get('item')!.length).toBe(7);
  });

  it('knows kinds, names, start nodes, outputs and gather order', () => {
    expect(compiled.nodeList.map((n) => n.kind)).toEqual(['input', 'block', 'block', 'block', 'block', 'block', 'output', 'trigger']);
    expect(node('x').name).toBe('size');
    expect(compiled.outputNames).toEqual(['result']);
    expect(compiled.startNodes.map((n) => n.id)).toEqual(['l']);
    expect(compiled.gatherNodes.map((n) => n.id)).toEqual(['c']);
    expect(node('x').rank).toBeLessThan(node('c').rank);
    expect(node('c').rank).toBeLessThan(node('r').rank);
  });

  it('finds required pins nothing can satisfy', () => {
    const g = compileGraph(graph({ add: { block: 'test.add', inputs: { a: 1 } } }), blocks);
    expect(g.nodes.get('add')!.unsatisfiedRequired).toEqual(['b']);
  });

  it('ranks cycles deterministically', () => {
    const g = compileGraph(
      graph({ a: 'test.pass', b: 'test.pass', c: 'test.pass' }, ['a.value -> b.value', 'b.value -> a.value', 'b.value -> c.value']),
      blocks,
    );
    expect([...g.nodes.values()].map((n) => [n.id, n.rank])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('reports every unknown block and node at once', () => {
    const bad = graph({ a: 'nope.block', b: 'test.pass' }, ['a.value -> b.value', 'ghost.value -> b.value', 'b.value -> phantom.value']);
    let error: unknown;
    try {
      compileGraph(bad, blocks);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    expect((error as AppError).details.problems).toEqual([
      { node: 'a', message: 'node "a" uses block "nope.block", which does not exist (list the blocks with `trellis blocks`)' },
      { node: 'ghost', message: 'link ghost.value -> b.value starts at node "ghost", which does not exist' },
      { node: 'phantom', message: 'link b.value -> phantom.value ends at node "phantom", which does not exist' },
    ]);
  });
});
