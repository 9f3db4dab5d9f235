import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { valueStoreBlock } from './value.store.js';

describe('value.store', () => {
  it('yields the stored data whatever arrives on input', async () => {
    expect(await run(valueStoreBlock, { input: 'tick', data: { config: true } })).toEqual([['output', { config: true }]]);
    expect(await run(valueStoreBlock, { input: null, data: 0 })).toEqual([['output', 0]]);
  });

  it('keeps data sticky', () => {
    expect(valueStoreBlock.pinModes).toEqual({ data: 'sticky' });
  });

  it('needs both pins', async () => {
    const error = await runError(valueStoreBlock, {});
    expect(error.message).toContain('input: is required');
    expect(error.message).toContain('data: is required');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(valueStoreBlock, { input: 1, data: 2 }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
