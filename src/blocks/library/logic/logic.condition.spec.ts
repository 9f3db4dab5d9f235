import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { evaluate, conditionBlock } from './logic.condition.js';

describe('logic.condition', () => {
  it('yields result, then yes_value on yes or no_value on no', async () => {
    expect(await run(conditionBlock, { left: 900, operator: '>', right: 500, yes_value: 'big', no_value: 'small' })).toEqual([
      ['result', true],
      ['yes', 'big'],
    ]);
    expect(await run(conditionBlock, { left: 10, operator: '>', right: 500, yes_value: 'big', no_value: 'small' })).toEqual([
      ['result', false],
      ['no', 'small'],
    ]);
  });

  it('passes left on by default, and compares with == by default', async () => {
    expect(await run(conditionBlock, { left: { n: 1 }, right: { n: 1 } })).toEqual([
      ['result', true],
      ['yes', { n: 1 }],
    ]);
    expect(await run(conditionBlock, { left: 'a', right: 'b' })).toEqual([
      ['result', false],
      ['no', 'a'],
    ]);
  });

  it('compares deeply with == and !=', () => {
    expect(evaluate('==', { a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(evaluate('==', [1, 2], [2, 1])).toBe(false);
    expect(evaluate('==', 1, '1')).toBe(false);
    expect(evaluate('!=', { a: 1 }, { a: 1, b: 2 })).toBe(true);
  });

  it('orders numbers', () => {
    expect(evaluate('>=', 2, 2)).toBe(true);
    expect(evaluate('<', -1, 0)).toBe(true);
    expect(evaluate('<=', 3, 2)).toBe(false);
  });

  it('contains: text in text, an item in a list, a key in an object', () => {
    expect(evaluate('contains', 'fix: crash', 'crash')).toBe(true);
    expect(evaluate('contains', [{ name: 'bug' }], { name: 'bug' })).toBe(true);
    expect(evaluate('contains', ['bug'], 'ui')).toBe(false);
    expect(evaluate('contains', { draft: false }, 'draft')).toBe(true);
  });

  it('matches a regular expression', () => {
    expect(evaluate('matches', 'release/1.2', '^release/\\d')).toBe(true);
    expect(evaluate('matches', 'main', '^release/')).toBe(false);
  });

  it('refuses comparisons that make no sense, naming the pin', async () => {
    const ordering = await runError(conditionBlock, { left: '10', operator: '>', right: 5 });
    expect(ordering.code).toBe('INVALID_INPUT');
    expect(ordering.message).toContain('left: expected a number (>, >=, < and <= compare numbers only; write 100, not "100"), got the text "10"');
    expect((await runError(conditionBlock, { left: 5, operator: 'contains', right: 1 })).message).toContain(
      'left: contains needs text, a list or an object, got the number 5',
    );
    expect((await runError(conditionBlock, { left: 'abc', operator: 'contains', right: 1 })).message).toContain('right: contains on text needs text');
    expect((await runError(conditionBlock, { left: 1, operator: 'matches', right: 'x' })).message).toContain('left: matches tests text');
    expect((await runError(conditionBlock, { left: 'a', operator: 'matches', right: '(' })).message).toContain('right: is not a valid RE2 regular expression');
    expect((await runError(conditionBlock, { left: 1, operator: '=>', right: 1 })).message).toContain('operator: expected one of "==", "!="');
    expect((await runError(conditionBlock, { left: 1 })).message).toContain('right: is required');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(conditionBlock, { left: 1, right: 1 }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
