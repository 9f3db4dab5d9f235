import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { graph, testLookup } from './engine.fixtures.js';
import { compileGraph } from './graph.compiler.js';
import { planSeed } from './seeding.js';

const blocks = testLookup();
const compiled = compileGraph(
  graph({
    a: { block: 'input', inputs: { name: 'a' } },
    b: { block: 'input', inputs: { name: 'b', default: 2 } },
    t: 'test.trigger',
    p: 'test.pass',
  }),
  blocks,
);
const seeded = (plan: ReturnType<typeof planSeed>) => plan.inputs.map(([node, value]) => [node.id, value]);

describe('planSeed', () => {
  it('gives each input node its value, else its default', () => {
    const plan = planSeed(compiled, { inputs: { a: 1 } });
    expect(seeded(plan)).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(plan.trigger).toBeUndefined();
    expect(plan.missing).toBeNull();
  });

  it('names the required inputs nothing fills, and says to pass them', () => {
    const plan = planSeed(compiled, { inputs: { b: 5 } });
    expect(seeded(plan)).toEqual([['b', 5]]);
    expect(plan.missing).toEqual({ code: 'MISSING_INPUT', node_id: null, message: expect.stringMatching(/required input "a": pass it as inputs/) });
  });

  it('a trigger seed ignores given inputs: only defaults fill them, and a missing one is blamed on the trigger', () => {
    const plan = planSeed(compiled, { trigger: { node: 't', outputs: { body: 1 } } });
    expect(plan.trigger?.id).toBe('t');
    expect(seeded(plan)).toEqual([['b', 2]]);
    expect(plan.missing?.message).toMatch(/trigger "t" cannot give a value to the required input "a" \(no default\): give it a default/);
  });

  it('refuses a trigger seed naming a node that is not a trigger, listing the triggers', () => {
    expect(() => planSeed(compiled, { trigger: { node: 'p', outputs: {} } })).toThrow(AppError);
    expect(() => planSeed(compiled, { trigger: { node: 'p', outputs: {} } })).toThrow(/"p" is not a trigger node of test-agent; its trigger nodes are: t/);
  });
});
