import { describe, expect, it } from '@jest/globals';
import { compileDataSchema, compileSchema, describeSchema, problemsFromErrors, schemaProblem, showValue } from './pin-validation.js';

function problems(schema: Record<string, unknown>, value: unknown, pins?: string[]) {
  const validate = compileSchema(schema);
  expect(validate(value)).toBe(false);
  return problemsFromErrors(validate.errors, pins ? { pins, owner: 'block sample' } : {});
}

const object = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    limit: { type: 'integer', minimum: 1 },
    items: { anyOf: [{ type: 'array' }, { type: 'object' }] },
    repo: { type: 'string', pattern: '^[^/]+/[^/]+$', 'x-expected': 'a repository as owner/name' },
    schedule: { type: 'string', format: 'cron' },
    tz: { type: 'string', format: 'timezone' },
    mode: { enum: ['a', 'b'] },
  },
  required: ['text'],
  additionalProperties: false,
};

describe('problems from ajv errors', () => {
  it('names the pin, what was expected and what came', () => {
    expect(problems(object, { text: 5 }, Object.keys(object.properties))).toEqual([
      { pin: 'text', pointer: '/text', message: 'text: expected text, got the number 5' },
    ]);
  });

  it('reports a missing required pin with what it takes', () => {
    expect(problems(object, {}, ['text'])).toEqual([{ pin: 'text', pointer: '/text', message: 'text: is required (text)' }]);
  });

  it('reports an unknown pin with a suggestion and the list of pins', () => {
    const [problem] = problems(object, { text: 'x', limt: 2 }, Object.keys(object.properties));
    expect(problem!.pin).toBe('limt');
    expect(problem!.message).toContain('"limt" is not an input of block sample');
    expect(problem!.message).toContain('Did you mean "limit"?');
    expect(problem!.message).toContain('Its inputs are: text, limit');
  });

  it('says what a union accepts instead of one problem per branch', () => {
    expect(problems(object, { text: 'x', items: 5 }, ['text', 'items']).map((p) => p.message)).toEqual([
      'items: expected a list or an object, got the number 5',
    ]);
  });

  it("uses the schema's own wording, and the formats' reasons", () => {
    const found = problems(object, { text: 'x', repo: 'nope', schedule: '* * *', tz: 'Nowhere/City', mode: 'c', limit: 0 }, Object.keys(object.properties));
    const messages = found.map((p) => p.message);
    expect(messages).toContain('repo: expected a repository as owner/name, got the text "nope"');
    expect(messages.find((m) => m.startsWith('schedule:'))).toContain('got 3 fields');
    expect(messages.find((m) => m.startsWith('tz:'))).toContain('not an IANA time zone');
    expect(messages).toContain('mode: expected one of "a", "b", got the text "c"');
    expect(messages).toContain('limit: must be >= 1, got the number 0');
  });

  it('points into nested values', () => {
    const schema = { type: 'object', properties: { values: { type: 'object', properties: { n: { type: 'number' } } } } };
    expect(problems(schema, { values: { n: 'x' } }, ['values'])).toEqual([
      { pin: 'values', pointer: '/values/n', message: 'values (at /n): expected a number, got the text "x"' },
    ]);
  });

  it('shows JSON Pointers when there are no pins to name', () => {
    const validate = compileDataSchema({ type: 'integer' });
    expect(validate('5')).toBe(false);
    expect(problemsFromErrors(validate.errors, { pointerPrefix: '/inputs/count' })).toEqual([
      { pointer: '/inputs/count', message: '/inputs/count: expected a whole number, got the text "5"' },
    ]);
  });
});

describe('schemas as data', () => {
  it('compiles once per schema text and reports unusable schemas', () => {
    expect(compileDataSchema({ type: 'string' })).toBe(compileDataSchema({ type: 'string' }));
    expect(schemaProblem({ type: 'strnig' })).toBe(
      '/type: expected one of "array", "boolean", "integer", "null", "number", "object", "string", got the text "strnig"',
    );
    expect(schemaProblem({ $ref: '#/nope' })).toContain('#/nope');
    expect(schemaProblem({ type: 'string' })).toBeNull();
  });
});

describe('words', () => {
  it('describes schemas', () => {
    expect(describeSchema({})).toBe('any value');
    expect(describeSchema({ type: ['string', 'null'] })).toBe('text or null');
    expect(describeSchema({ const: 'x' })).toBe('"x"');
  });

  it('describes values briefly', () => {
    expect(showValue('a'.repeat(100))).toMatch(/^the text "a{57}\.\.\."$/);
    expect(showValue([1, 2])).toBe('a list of 2 items');
    expect(showValue({})).toBe('an empty object');
    expect(showValue({ a: 1, b: 2 })).toBe('an object with keys a, b');
    expect(showValue(null)).toBe('null');
    expect(showValue(undefined)).toBe('nothing');
  });
});
