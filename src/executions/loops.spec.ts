// Loops with the real blocks on the in-memory runner (release-2.md section 6): list.iterate's batch_size,
// list.collect on zero items, and the list.iterate.key -> list.collect.key link (which validates).
import { describe, expect, it } from '@jest/globals';
import { validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { runGraphInMemory } from './memory-run.js';
import { markTransient } from '../common/errors.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY);

/** Items -> iterate (optionally in batches) -> a doubling query per item -> collect sorted by key. */
const LOOP = (batch: string) =>
  yaml(
    'name: loop',
    'nodes:',
    '  items: { block: input, inputs: { name: items, type: array } }',
    `  each: { block: list.iterate${batch ? `, inputs: { batch_size: ${batch} }` : ''} }`,
    `  work: { block: json.query, inputs: { expression: "${batch ? '$count($)' : '$ * 2'}" } }`,
    '  all: { block: list.collect }',
    '  out: { block: output, inputs: { name: out } }',
    '  done: { block: output, inputs: { name: done } }',
    'links:',
    '  - items.value -> each.items',
    `  - each.${batch ? 'batch' : 'item'} -> work.data`,
    '  - work.result -> all.item',
    '  - each.key -> all.key',
    '  - each.count -> all.count',
    '  - all.items -> out.value',
    '  - all.complete -> done.value',
  );

function definition(text: string) {
  const result = validateTexts({ 'agents/loop.yaml': text }, { blocks }).results[0]!;
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return result.agent!;
}

describe('loops', () => {
  it('validates list.iterate.key -> list.collect.key and collects in key order', async () => {
    const result = await runGraphInMemory(definition(LOOP('')), { blocks, inputs: { items: [1, 2, 3] } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { out: [[2, 4, 6]], done: [true] } });
  });

  it('yields batches of batch_size with the batch index as key, count being the number of batches', async () => {
    const result = await runGraphInMemory(definition(LOOP('2')), { blocks, inputs: { items: [1, 2, 3, 4, 5] } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { out: [[2, 2, 1]], done: [true] } });
  });

  it('collects an empty list, complete, when count arrives as 0', async () => {
    const result = await runGraphInMemory(definition(LOOP('')), { blocks, inputs: { items: [] } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { out: [[]], done: [true] } });
  });
});

describe('node concurrency', () => {
  const FAN_OUT = (concurrency: string) =>
    yaml(
      'name: loop',
      'nodes:',
      '  items: { block: input, inputs: { name: items, type: array } }',
      '  each: { block: list.iterate }',
      '  work:',
      '    block: json.query',
      '    inputs: { expression: "$ * 2" }',
      ...(concurrency ? [`    concurrency: ${concurrency}`] : []),
      '  out: { block: output, inputs: { name: out } }',
      'links:',
      '  - items.value -> each.items',
      '  - each.item -> work.data',
      '  - work.result -> out.value',
    );

  /** Runs the fan-out with a block runner that records, per start, the item and how many `work` runs were in flight. */
  async function observe(concurrency: string): Promise<{ starts: unknown[]; most: number; out: unknown[] }> {
    const starts: unknown[] = [];
    let inFlight = 0;
    let most = 0;
    const result = await runGraphInMemory(definition(FAN_OUT(concurrency)), {
      blocks,
      inputs: { items: [1, 2, 3, 4] },
      runAttempt: (request) =>
        (async function* () {
          if (request.context.nodeId !== 'work') return yield* request.block.run(request.inputs, request.context);
          starts.push(request.inputs.data);
          most = Math.max(most, ++inFlight);
          // Let every other ready run start before this one ends.
          for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          yield* request.block.run(request.inputs, request.context);
        })(),
    });
    return { starts, most, out: result.outputs.out ?? [] };
  }

  it('runs a fan-out one item at a time, in order, with concurrency: 1', async () => {
    expect(await observe('1')).toEqual({ starts: [1, 2, 3, 4], most: 1, out: [2, 4, 6, 8] });
  });

  it('runs at most N at once with concurrency: N, and all at once without it', async () => {
    expect((await observe('2')).most).toBe(2);
    expect((await observe('')).most).toBe(4);
  });

  it('keeps the slot while a run waits for its retry: the next item starts only after it', async () => {
    const text = FAN_OUT('1').replace('    concurrency: 1', '    concurrency: 1\n    retry: { attempts: 2, backoff: fixed, delay: 5ms }');
    const starts: unknown[] = [];
    const result = await runGraphInMemory(definition(text), {
      blocks,
      inputs: { items: [1, 2] },
      runAttempt: (request) =>
        (async function* () {
          if (request.context.nodeId === 'work') {
            starts.push(`${String(request.inputs.data)}#${request.context.attempt}`);
            if (request.inputs.data === 1 && request.context.attempt === 1) throw markTransient(new Error('first try fails'));
          }
          yield* request.block.run(request.inputs, request.context);
        })(),
    });
    expect(starts).toEqual(['1#1', '1#2', '2#1']);
    expect(result.outputs.out).toEqual([2, 4]);
  });
});
