import { describe, expect, it } from '@jest/globals';
import { graph, testBlock, testLookup } from './engine.fixtures.js';
import type { NodeRun } from './engine.types.js';
import { compileGraph } from './graph.compiler.js';
import { childOutcome, suspensionOf } from './suspensions.js';

const delay = testBlock({ id: 'test.delay', inputs: ['duration', 'value'], outputs: ['value'], suspend: 'delay' });
const child = testBlock({ id: 'test.child', inputs: ['agent', 'inputs', 'version'], outputs: ['outputs'], suspend: 'child_execution' });
const compiled = compileGraph(graph({ d: 'test.delay', c: 'test.child', p: { block: 'test.pass', inputs: { value: 1 } } }), testLookup([delay, child]));
const limits = { depth: 0, maxDepth: 2, canStartChildren: true };
const run = (node: string, inputs: Record<string, unknown>): NodeRun => ({
  id: 'r',
  seq: 1,
  node,
  block: compiled.nodes.get(node)!.blockId,
  status: 'RUNNING',
  inputs,
  outputs: {},
  error: null,
  attempt: 1,
  delivered_seq: 0,
  waiting_for: null,
});
const suspend = (node: string, inputs: Record<string, unknown>, more: Partial<typeof limits> = {}) =>
  suspensionOf(run(node, inputs), compiled.nodes.get(node)!, { ...limits, ...more });

describe('suspension rules', () => {
  it('a block that does not suspend has none', () => {
    expect(suspend('p', { value: 1 })).toBeNull();
  });

  it('delay: WAITING for the duration (number or text), then the value passes through (null when absent)', () => {
    expect(suspend('d', { duration: '2s', value: 'v' })).toEqual({
      suspended: true,
      reason: { kind: 'delay', delay_ms: 2000 },
      due: { delay_ms: 2000, yields: [['value', 'v']] },
    });
    expect(suspend('d', { duration: 5 })).toMatchObject({ due: { delay_ms: 5, yields: [['value', null]] } });
    expect(suspend('d', { duration: 'soon' })).toEqual({
      ok: false,
      error: { code: 'NODE_FAILED', message: expect.stringContaining('"soon", which is not a duration') },
    });
  });

  it('child: a request one level deeper, refused past max_depth, without an agent name, without a child runner, or with inputs that are not an object', () => {
    expect(suspend('c', { agent: 'kid', inputs: { a: 1 }, version: 2 })).toEqual({
      suspended: true,
      reason: { kind: 'child_execution' },
      child: { agent: 'kid', version: 2, inputs: { a: 1 }, depth: 1 },
    });
    expect(suspend('c', { agent: 'kid' }, { depth: 2 })).toMatchObject({ ok: false, error: { code: 'DEPTH_LIMIT' } });
    expect(suspend('c', { agent: '' })).toMatchObject({
      ok: false,
      error: { code: 'NODE_FAILED', message: expect.stringContaining('needs the name of the agent') },
    });
    expect(suspend('c', { agent: 'kid' }, { canStartChildren: false })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('cannot start child executions') },
    });
    expect(suspend('c', { agent: 'kid', inputs: [1] })).toMatchObject({ ok: false, error: { message: expect.stringContaining('`inputs` to be an object') } });
  });

  it("a finished child's outputs come out on pins of the same names plus `outputs`, each size-checked; a failed child is CHILD_FAILED", () => {
    const values = { maxValueBytes: 64 };
    expect(childOutcome('c', 'kid', { status: 'COMPLETED', outputs: { r: [1, 2] }, error: null }, values)).toEqual({
      ok: true,
      yields: [
        ['r', 1],
        ['r', 2],
        ['outputs', { r: [1, 2] }],
      ],
    });
    expect(childOutcome('c', 'kid', { status: 'COMPLETED', outputs: { r: ['x'.repeat(100)] }, error: null }, values)).toMatchObject({
      ok: false,
      error: { code: 'VALUE_TOO_LARGE' },
    });
    expect(childOutcome('c', 'kid', { status: 'CANCELLED', outputs: null, error: null }, values)).toEqual({
      ok: false,
      error: { code: 'CHILD_FAILED', message: 'Agent "kid" (run by node "c") was cancelled' },
    });
  });
});
