import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { findJsonError } from './json-position.js';
import { jsonParseBlock } from './json.parse.js';

describe('json.parse', () => {
  it('parses JSON text', async () => {
    expect(await run(jsonParseBlock, { text: '{"a": [1, true, null, "x"]}' })).toEqual([['value', { a: [1, true, null, 'x'] }]]);
    expect(await run(jsonParseBlock, { text: ' 42 ' })).toEqual([['value', 42]]);
  });

  it('names the line, column and position of bad JSON', async () => {
    const error = await runError(jsonParseBlock, { text: '{\n  "a": 1,\n  "b": }' });
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toBe('The text is not valid JSON at line 3, column 8 (position 19): unexpected "}" where a value was expected.');
    expect(error.details).toMatchObject({ line: 3, column: 8, position: 19 });
  });

  it.each([
    ['{"a": 1', 'the text ends where "," or "}" was expected', 7],
    ["{'a': 1}", 'unexpected "\'" where a property name in double quotes was expected', 1],
    ['[1, 2,]', 'unexpected "]" where a value was expected', 6],
    ['{"a": 1} x', 'unexpected "x" where the JSON value had already ended', 9],
    ['"abc', 'the text ends where a string was still open', 4],
    ['"\\q"', 'an escape', 2],
    ['tru', 'the text ends where "true" was being read', 3],
    ['', 'the text ends where a value was expected', 0],
    ['01', 'where the JSON value had already ended', 1],
  ])('finds the error in %j', (text, reason, position) => {
    expect(() => JSON.parse(text)).toThrow();
    const place = findJsonError(text);
    expect(place?.reason).toContain(reason);
    expect(place?.position).toBe(position);
  });

  it('finds no error in valid JSON', () => {
    for (const text of ['{}', '[]', '"\\u00e9\\n"', '-1.5e+3', '{"a":{"b":[null,false]}}']) expect(findJsonError(text)).toBeNull();
  });

  it('needs text', async () => {
    expect((await runError(jsonParseBlock, { text: { a: 1 } })).message).toContain('text: expected text, got an object with keys a');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(jsonParseBlock, { text: '1' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
