import { describe, expect, it } from '@jest/globals';
import { checkValue } from '../executions/engine/block-attempt.js';
import { toNodeError } from '../executions/engine/engine.errors.js';
import { describeUnstorable, findUnstorable, storableText, unstorableText } from './storable-json.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { k: value } : [value];
  return value;
}

describe('findUnstorable', () => {
  it.each([
    ['a plain object', { a: 'text', b: [1, true, null, { c: 'ü 😀' }] }],
    ['a paired surrogate (emoji)', '\ud83d\ude00'],
    ['a number, a boolean, null', [1.5, false, null]],
    ['nesting at exactly the limit', nested(64)],
  ])('accepts %s', (_title, value) => {
    expect(findUnstorable(value, 64)).toBeNull();
  });

  it.each([
    ['U+0000 in a string', 'a\u0000b', { pointer: '', reason: 'nul' }],
    ['U+0000 deep inside', { items: [{ name: 'ok' }, { name: 'x\u0000' }] }, { pointer: '/items/1/name', reason: 'nul' }],
    ['U+0000 in a key', { ['k\u0000']: 1 }, { pointer: '/k\u0000', reason: 'nul' }],
    ['a lone high surrogate', { s: 'a\ud800' }, { pointer: '/s', reason: 'surrogate' }],
    ['a lone low surrogate', ['\udc00b'], { pointer: '/0', reason: 'surrogate' }],
    ['a key with / and ~ escaped in the pointer', { 'a/b~c': 'x\u0000' }, { pointer: '/a~1b~0c', reason: 'nul' }],
  ])('finds %s', (_title, value, expected) => {
    expect(findUnstorable(value, 64)).toEqual(expected);
  });

  it('refuses nesting one level past the limit, naming where the walk stopped', () => {
    const found = findUnstorable(nested(65), 64);
    expect(found?.reason).toBe('depth');
    expect(found?.pointer.split('/').length).toBe(65);
    expect(describeUnstorable(found!, 64)).toContain('limits.max_json_depth (64 levels)');
  });

  it('names a cycle instead of overflowing the stack, and accepts a value shared by two keys', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findUnstorable(cyclic, 64)).toEqual({ pointer: '/self', reason: 'cycle' });
    const shared = { s: 'x' };
    expect(findUnstorable({ a: shared, b: shared }, 64)).toBeNull();
  });
});

describe('unstorableText and storableText', () => {
  it('tell NUL from surrogates and replace both with U+FFFD', () => {
    expect(unstorableText('plain')).toBeNull();
    expect(unstorableText('a\u0000')).toBe('nul');
    expect(unstorableText('a\udfff')).toBe('surrogate');
    expect(storableText('a\u0000b\ud800c\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ud83d\ude00');
  });
});

describe('checkValue (both runners check every yield here)', () => {
  it('fails a value holding U+0000 with VALUE_NOT_STORABLE, naming the node, the pin and the JSON path', () => {
    expect(checkValue('fetch', 'body', { rows: ['ok', 'a\u0000b'] }, 1024 * 1024)).toEqual({
      code: 'VALUE_NOT_STORABLE',
      message: expect.stringMatching(/Node "fetch" yielded a value on pin "body" that cannot be stored: JSON path \/rows\/1 contains the character U\+0000/),
    });
    expect(checkValue('code', 'result', 'a\u0000b', 1024 * 1024)?.message).toContain('the value itself contains the character U+0000');
  });

  it('fails a value nested deeper than max_json_depth, with the configured limit', () => {
    expect(checkValue('n', 'out', nested(11), 1024 * 1024, 10)).toMatchObject({
      code: 'VALUE_NOT_STORABLE',
      message: expect.stringContaining('limits.max_json_depth (10 levels)'),
    });
    expect(checkValue('n', 'out', nested(10), 1024 * 1024, 10)).toBeNull();
  });

  it('still checks the size after storability', () => {
    expect(checkValue('n', 'out', { s: 'x'.repeat(100) }, 50)?.code).toBe('VALUE_TOO_LARGE');
    expect(checkValue('n', 'out', 'short text', 1024)).toBeNull();
  });
});

describe('toNodeError', () => {
  it('keeps a block message storable even when it quotes U+0000', () => {
    expect(toNodeError(new Error('answered: PK\u0003\u0004\u0000\u0000'))).toEqual({ code: 'NODE_FAILED', message: 'answered: PK\u0003\u0004\ufffd\ufffd' });
  });
});
