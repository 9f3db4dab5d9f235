import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { listIterateBlock } from './list.iterate.js';

describe('list.iterate', () => {
  it('yields the count first, then item and key (the index) per element of a list', async () => {
    expect(await run(listIterateBlock, { items: ['a', { b: 1 }] })).toEqual([
      ['count', 2],
      ['item', 'a'],
      ['key', 0],
      ['item', { b: 1 }],
      ['key', 1],
    ]);
  });

  it("iterates an object's properties, the key being the property name", async () => {
    expect(await run(listIterateBlock, { items: { x: 1, y: 2 } })).toEqual([
      ['count', 2],
      ['item', 1],
      ['key', 'x'],
      ['item', 2],
      ['key', 'y'],
    ]);
  });

  it('yields only the count for an empty list', async () => {
    expect(await run(listIterateBlock, { items: [] })).toEqual([['count', 0]]);
  });

  it('is streaming: each yield is handed over as it comes', async () => {
    expect(listIterateBlock.streaming).toBe(true);
    const sequence: number[] = [];
    await run(listIterateBlock, { items: [1, 2] }, {}, { onYield: (_pin, _value, n) => void sequence.push(n) });
    expect(sequence).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses what is neither a list nor an object', async () => {
    expect((await runError(listIterateBlock, { items: 'abc' })).message).toContain('items: expected a list or an object, got the text "abc"');
  });

  it('stops mid-list when the run is aborted', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const error = await runError(
      listIterateBlock,
      { items: [1, 2, 3, 4] },
      { signal: controller.signal },
      {
        onYield: (pin, value) => {
          seen.push([pin, value]);
          if (pin === 'key' && value === 0) controller.abort(new Error('execution stopped'));
        },
      },
    );
    expect(error.code).toBe('CANCELLED');
    expect(seen).toEqual([
      ['count', 4],
      ['item', 1],
      ['key', 0],
    ]);
  });
});
