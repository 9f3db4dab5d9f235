import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { splitBlock } from './text.split.js';

const parts = async (inputs: Record<string, unknown>) => (await run(splitBlock, inputs))[0]![1];

describe('text.split', () => {
  it('splits on literal text (a comma by default)', async () => {
    expect(await parts({ text: 'a,b,,c' })).toEqual(['a', 'b', '', 'c']);
    expect(await parts({ text: 'a. b. c', separator: '. ' })).toEqual(['a', 'b', 'c']);
    expect(await parts({ text: 'a+b', separator: '+' })).toEqual(['a', 'b']);
    expect(await parts({ text: '', separator: ',' })).toEqual(['']);
  });

  it('splits on a regular expression with regex: true', async () => {
    expect(await parts({ text: 'a1b22c', separator: '\\d+', regex: true })).toEqual(['a', 'b', 'c']);
    expect(await parts({ text: 'one  two\tthree', separator: '\\s+', regex: true })).toEqual(['one', 'two', 'three']);
  });

  it('keeps the rest in the last part with limit', async () => {
    expect(await parts({ text: 'k=v=w', separator: '=', limit: 2 })).toEqual(['k', 'v=w']);
    expect(await parts({ text: 'a b  c d', separator: '\\s+', regex: true, limit: 3 })).toEqual(['a', 'b', 'c d']);
    expect(await parts({ text: 'abc', separator: '', limit: 2 })).toEqual(['a', 'bc']);
    expect(await parts({ text: 'a,b', limit: 5 })).toEqual(['a', 'b']);
  });

  it('splits into characters on an empty separator', async () => {
    expect(await parts({ text: 'héllo', separator: '' })).toEqual(['h', 'é', 'l', 'l', 'o']);
    expect(await parts({ text: 'ab', separator: '', regex: true })).toEqual(['a', 'b']);
  });

  it('refuses bad inputs', async () => {
    expect((await runError(splitBlock, { text: 'x', separator: '(', regex: true })).message).toContain('separator: is not a valid RE2 regular expression');
    expect((await runError(splitBlock, { text: 'x', limit: 0 })).message).toContain('limit: must be >= 1, got the number 0');
    expect((await runError(splitBlock, { text: 42 })).message).toContain('text: expected text, got the number 42');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(splitBlock, { text: 'x' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
