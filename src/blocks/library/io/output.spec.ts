import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { outputBlock } from './output.js';

describe('output', () => {
  it('yields nothing: the engine collects what reaches it', async () => {
    expect(await run(outputBlock, { name: 'summary', value: { any: 'thing' } })).toEqual([]);
    expect(await run(outputBlock, { name: 'summary', value: null })).toEqual([]);
  });

  it('needs a name and a value', async () => {
    const error = await runError(outputBlock, { name: 'Summary!' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('name: expected a name of lower-case letters');
    expect(error.message).toContain('value: is required');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(outputBlock, { name: 'a', value: 1 }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
