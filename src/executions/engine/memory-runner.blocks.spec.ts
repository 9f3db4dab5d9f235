// The runner with the real block catalogue: pin modes, streaming, gathering and defaults as the blocks declare them.
import { describe, expect, it } from '@jest/globals';
import { BlocksRegistry } from '../../blocks/blocks.registry.js';
import { BLOCK_LIBRARY } from '../../blocks/library/index.js';
import { fakeTimers, graph } from './engine.fixtures.js';
import { runGraphInMemory, type MemoryRunOptions } from '../memory-run.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY);
const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string, extra: Record<string, unknown> = {}) => ({ block: 'input', inputs: { name, ...extra } });
const run = (definition: AgentDefinition, options: Partial<MemoryRunOptions> = {}) =>
  runGraphInMemory(definition, { blocks, timers: fakeTimers(), ...options });

describe('runGraphInMemory with the real blocks', () => {
  it('iterates, templates each item, and collects them back in key order with a sticky count', async () => {
    const definition = graph(
      {
        names: input('names'),
        each: 'list.iterate',
        greet: { block: 'text.template', inputs: { template: 'Hello {{ name }}!', values: {} } },
        all: 'list.collect',
        greetings: out('greetings'),
        complete: out('complete'),
      },
      [
        'names.value -> each.items',
        'each.item -> greet.values.name',
        'greet.text -> all.item',
        'each.key -> all.key',
        'each.count -> all.count',
        'all.items -> greetings.value',
        'all.complete -> complete.value',
      ],
    );
    const result = await run(definition, { inputs: { names: ['Ada', 'Grace', 'Edsger'] } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { greetings: [['Hello Ada!', 'Hello Grace!', 'Hello Edsger!']], complete: [true] } });
  });

  it('collects what arrived when the execution goes quiet first (complete: false)', async () => {
    const definition = graph(
      {
        n: input('n'),
        x: input('x'),
        each: 'list.iterate',
        check: { block: 'logic.condition', inputs: { operator: '>', right: 1 } },
        all: 'list.collect',
        items: out('items'),
        complete: out('complete'),
      },
      [
        'x.value -> each.items',
        'each.item -> check.left',
        'check.yes -> all.item',
        'n.value -> all.count',
        'all.items -> items.value',
        'all.complete -> complete.value',
      ],
    );
    const result = await run(definition, { inputs: { n: 3, x: [1, 2, 3] } });
    expect(result.outputs).toEqual({ items: [[2, 3]], complete: [false] });
  });

  it('keeps value.store data sticky and routes a json.parse failure by its error pin', async () => {
    const definition = graph(
      {
        cfg: input('cfg'),
        texts: input('texts'),
        each: 'list.iterate',
        parse: 'json.parse',
        store: 'value.store',
        stored: out('stored'),
        errors: out('errors'),
      },
      [
        'texts.value -> each.items',
        'each.item -> parse.text',
        'parse.value -> store.input',
        'cfg.value -> store.data',
        'store.output -> stored.value',
        'parse.error.code -> errors.value',
      ],
    );
    const result = await run(definition, { inputs: { cfg: { mode: 'x' }, texts: ['1', '{bad', '[2]'] } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { stored: [{ mode: 'x' }, { mode: 'x' }], errors: ['PARSE_ERROR'] } });
  });

  it('applies the block defaults before running (logic.condition yes_value defaults to left)', async () => {
    const definition = graph({ x: input('x'), check: { block: 'logic.condition', inputs: { operator: '==', right: 'a' } }, yes: out('yes') }, [
      'x.value -> check.left',
      'check.yes -> yes.value',
    ]);
    expect((await run(definition, { inputs: { x: 'a' } })).outputs).toEqual({ yes: ['a'] });
  });

  it('waits out time.delay on the injected clock', async () => {
    const timers = fakeTimers([90_000]);
    const definition = graph({ x: input('x'), later: { block: 'time.delay', inputs: { duration: '90s' } }, r: out('r') }, [
      'x.value -> later.value',
      'later.value -> r.value',
    ]);
    const result = await run(definition, { inputs: { x: 'done' }, timers });
    expect(result.outputs).toEqual({ r: ['done'] });
    expect(timers.sleeps).toEqual([90_000]);
  });

  it('names the pin when a real block refuses its inputs', async () => {
    const definition = graph({ x: input('x'), calc: { block: 'math.calculate', inputs: { operation: 'add', b: 1 } } }, ['x.value -> calc.a']);
    const result = await run(definition, { inputs: { x: 'not a number' } });
    expect(result.error).toMatchObject({
      code: 'INVALID_INPUT',
      node_id: 'calc',
      message: expect.stringMatching(/^Invalid input for block math.calculate: a: /),
    });
  });
});
