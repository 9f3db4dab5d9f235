import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { inputBlock } from './input.js';

describe('input', () => {
  it("yields the run's value, else its default", async () => {
    expect(await run(inputBlock, { name: 'repo', value: 'acme/app', default: 'x/y' })).toEqual([['value', 'acme/app']]);
    expect(await run(inputBlock, { name: 'repo', default: 'x/y' })).toEqual([['value', 'x/y']]);
    expect(await run(inputBlock, { name: 'flag', value: null })).toEqual([['value', null]]);
  });

  it('checks the value against a type name or a whole JSON Schema', async () => {
    expect(await run(inputBlock, { name: 'n', type: 'integer', value: 3 })).toEqual([['value', 3]]);
    const wrong = await runError(inputBlock, { name: 'n', type: 'integer', value: 'three' });
    expect(wrong.code).toBe('INVALID_INPUT');
    expect(wrong.message).toBe('Input "n" does not fit its type: /inputs/n: expected a whole number, got the text "three"');
    const schema = { type: 'object', properties: { size: { type: 'number', minimum: 1 } }, required: ['size'] };
    expect(await run(inputBlock, { name: 'opts', type: schema, value: { size: 2 } })).toEqual([['value', { size: 2 }]]);
    expect((await runError(inputBlock, { name: 'opts', type: schema, value: {} })).message).toContain('/inputs/opts/size: is required');
  });

  it('fails with MISSING_INPUT when there is neither a value nor a default', async () => {
    const error = await runError(inputBlock, { name: 'repo' });
    expect(error.code).toBe('MISSING_INPUT');
    expect(error.message).toContain('inputs.repo');
  });

  it('refuses bad names and unusable types', async () => {
    expect((await runError(inputBlock, { name: 'Bad Name', value: 1 })).message).toContain('name: expected a name of lower-case letters');
    expect((await runError(inputBlock, { name: 'n', type: 'text', value: 1 })).message).toContain('type: expected a JSON type name');
    expect((await runError(inputBlock, { name: 'n', type: { type: 'strnig' }, value: 1 })).message).toContain('type: is not a usable JSON Schema');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(inputBlock, { name: 'n', value: 1 }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
