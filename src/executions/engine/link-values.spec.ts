import { describe, expect, it } from '@jest/globals';
import { graph, testLookup } from './engine.fixtures.js';
import { compileGraph } from './graph.compiler.js';
import { buildRunInputs, pickPath, slotValueOf } from './link-values.js';

describe('pickPath', () => {
  it.each([
    [{ a: { b: 1 } }, ['a', 'b'], { found: true, value: 1 }],
    [{ a: [5, 6] }, ['a', '1'], { found: true, value: 6 }],
    [{ a: null }, ['a'], { found: true, value: null }],
    [{ a: 1 }, [], { found: true, value: { a: 1 } }],
    [{ a: {} }, ['a', 'b'], { found: false, depth: 1, parent: {} }],
    [{ a: [5] }, ['a', '1'], { found: false, depth: 1, parent: [5] }],
    [{ a: [5] }, ['a', '01'], { found: false, depth: 1, parent: [5] }],
    [{ a: null }, ['a', 'b'], { found: false, depth: 1, parent: null }],
    ['text', ['length'], { found: false, depth: 0, parent: 'text' }],
    [{}, ['toString'], { found: false, depth: 0, parent: {} }],
  ])('%j at %j', (value, path, expected) => {
    expect(pickPath(value, path)).toEqual(expected);
  });
});

describe('buildRunInputs', () => {
  const compiled = compileGraph(
    graph(
      {
        x: { block: 'input', inputs: { name: 'x' } },
        f: { block: 'test.format', inputs: { values: { a: 1, b: 2 } } },
        g: { block: 'test.format', inputs: { values: 'not a dict' } },
      },
      ['x.value -> f.values.b', 'x.value -> f.values.c', 'x.value -> g.values.k'],
    ),
    testLookup(),
  );
  const f = compiled.nodes.get('f')!;

  it('merges sink-side keys over the constant dict without touching the constant', () => {
    const inputs = buildRunInputs(f, { 'values.b': 20, 'values.c': 30 });
    expect(inputs).toEqual({ values: { a: 1, b: 20, c: 30 } });
    expect(f.constants).toEqual({ values: { a: 1, b: 2 } });
  });

  it('starts from an empty dict when the constant is not a dict', () => {
    expect(buildRunInputs(compiled.nodes.get('g')!, { 'values.k': 1 })).toEqual({ values: { k: 1 } });
  });

  it('reads a slot back from INCOMPLETE and complete inputs', () => {
    expect(slotValueOf(f, 0, { 'values.b': 5 }, false)).toEqual({ has: true, value: 5 });
    expect(slotValueOf(f, 0, { values: { b: 5 } }, true)).toEqual({ has: true, value: 5 });
    expect(slotValueOf(f, 1, { values: { b: 5 } }, true)).toEqual({ has: false, value: undefined });
  });
});
