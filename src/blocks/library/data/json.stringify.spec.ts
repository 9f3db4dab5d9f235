import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { jsonStringifyBlock } from './json.stringify.js';

describe('json.stringify', () => {
  it('writes compact JSON by default and indented on request', async () => {
    expect(await run(jsonStringifyBlock, { value: { a: [1, 'x'] } })).toEqual([['text', '{"a":[1,"x"]}']]);
    expect(await run(jsonStringifyBlock, { value: { a: 1 }, indent: 2 })).toEqual([['text', '{\n  "a": 1\n}']]);
    expect(await run(jsonStringifyBlock, { value: null })).toEqual([['text', 'null']]);
  });

  it('refuses a bad indent', async () => {
    expect((await runError(jsonStringifyBlock, { value: 1, indent: 11 })).message).toContain('indent: must be <= 10, got the number 11');
    expect((await runError(jsonStringifyBlock, {})).message).toContain('value: is required');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(jsonStringifyBlock, { value: 1 }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
