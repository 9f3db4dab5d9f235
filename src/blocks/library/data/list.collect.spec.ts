import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { listCollectBlock } from './list.collect.js';

describe('list.collect', () => {
  it('yields the gathered items and whether they are complete', async () => {
    expect(await run(listCollectBlock, { item: ['a', 'b'] })).toEqual([
      ['items', ['a', 'b']],
      ['complete', true],
    ]);
    expect(await run(listCollectBlock, { item: ['a', 'b'], count: 3 })).toEqual([
      ['items', ['a', 'b']],
      ['complete', false],
    ]);
  });

  it('sorts by key when keys came with the items (stable, numbers before text)', async () => {
    expect((await run(listCollectBlock, { item: ['c', 'a', 'b', 'a2'], key: [2, 0, 1, 0], count: 4 }))[0]).toEqual(['items', ['a', 'a2', 'b', 'c']]);
    expect((await run(listCollectBlock, { item: ['y', 'x', 'n'], key: ['y', 'x', 5] }))[0]).toEqual(['items', ['n', 'x', 'y']]);
  });

  it('declares its pin modes: item and key gather, count is sticky and fires the gather', () => {
    expect(listCollectBlock.pinModes).toEqual({ item: 'gather', key: 'gather', count: 'sticky' });
    expect(listCollectBlock.gatherCount).toBe('count');
  });

  it('refuses keys that do not pair with the items', async () => {
    const error = await runError(listCollectBlock, { item: ['a', 'b'], key: [1] });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('key: 1 keys arrived for 2 items');
    expect((await runError(listCollectBlock, { item: 'a' })).message).toContain('item: expected a list');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(listCollectBlock, { item: [] }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
