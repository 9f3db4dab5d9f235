import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { joinBlock } from './text.join.js';

describe('text.join', () => {
  it('joins items, writing numbers, booleans, null and objects sensibly', async () => {
    expect(await run(joinBlock, { items: ['a', 1, true, null, { k: 'v' }, [1]], separator: ' | ' })).toEqual([['text', 'a | 1 | true |  | {"k":"v"} | [1]']]);
  });

  it('uses a comma by default, and answers empty text for no items', async () => {
    expect(await run(joinBlock, { items: ['a', 'b'] })).toEqual([['text', 'a,b']]);
    expect(await run(joinBlock, { items: [] })).toEqual([['text', '']]);
  });

  it('refuses a non-list', async () => {
    const error = await runError(joinBlock, { items: 'a,b' });
    expect(error.message).toContain('items: expected a list, got the text "a,b"');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(joinBlock, { items: [] }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
