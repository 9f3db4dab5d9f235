import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { replaceBlock } from './text.replace.js';

const text = async (inputs: Record<string, unknown>) => (await run(replaceBlock, inputs))[0]![1];

describe('text.replace', () => {
  it('replaces literal text everywhere, or the first only', async () => {
    expect(await text({ text: 'a.b.c', pattern: '.', replacement: '-' })).toBe('a-b-c');
    expect(await text({ text: 'a.b.c', pattern: '.', replacement: '-', all: false })).toBe('a-b.c');
    expect(await text({ text: 'cost: 5', pattern: '5', replacement: '$1 $&' })).toBe('cost: $1 $&');
    expect(await text({ text: 'remove me', pattern: ' me' })).toBe('remove');
  });

  it('replaces a regular expression with references to the match', async () => {
    expect(await text({ text: '2026-01-05', pattern: '(\\d+)-(\\d+)-(\\d+)', replacement: '$3/$2/$1', regex: true })).toBe('05/01/2026');
    expect(await text({ text: 'a1b2', pattern: '\\d', replacement: '#', regex: true, all: false })).toBe('a#b2');
  });

  it('refuses bad inputs', async () => {
    expect((await runError(replaceBlock, { text: 'x', pattern: '' })).message).toContain('pattern: expected non-empty text');
    expect((await runError(replaceBlock, { text: 'x', pattern: '[', regex: true })).message).toContain('pattern: is not a valid RE2 regular expression');
    expect((await runError(replaceBlock, { text: 'x', pattern: 'x', all: 'yes' })).message).toContain('all: expected true or false');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(replaceBlock, { text: 'x', pattern: 'x' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
