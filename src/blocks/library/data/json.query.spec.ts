import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { jsonQueryBlock } from './json.query.js';

const result = async (data: unknown, expression: string) => (await run(jsonQueryBlock, { data, expression }))[0]![1];
const pr = { pull_request: { additions: 900, deletions: 1, number: 7, labels: [{ name: 'bug' }, { name: 'ui' }] }, repository: { full_name: 'acme/app' } };

describe('json.query', () => {
  it('evaluates JSONata: paths, arithmetic, object constructors, functions', async () => {
    expect(await result(pr, 'pull_request.number')).toBe(7);
    expect(await result(pr, '{ "size": pull_request.additions + pull_request.deletions, "repository": repository.full_name }')).toEqual({
      size: 901,
      repository: 'acme/app',
    });
    expect(await result(pr, 'pull_request.labels.name')).toEqual(['bug', 'ui']);
    expect(await result([1, 2, 3], '$sum($)')).toBe(6);
  });

  it('answers null when the expression selects nothing, and plain JSON always', async () => {
    expect(await result(pr, 'pull_request.missing')).toBeNull();
    expect(JSON.stringify(await result(pr, 'pull_request.labels[name = "bug"]'))).toBe('{"name":"bug"}');
    expect(await result(pr, '$sum')).toBeNull();
    expect(await result(pr, '{ "f": function($x) { $x }, "n": 1 }')).toEqual({ n: 1 });
  });

  it('reports syntax errors against the expression pin, with the position', async () => {
    const error = await runError(jsonQueryBlock, { data: {}, expression: 'a.(' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/expression: is not a valid JSONata expression: .* \(at character \d+\)/);
  });

  it('reports evaluation errors as EXPRESSION_ERROR', async () => {
    const error = await runError(jsonQueryBlock, { data: { a: 'x' }, expression: 'a + 1' });
    expect(error.code).toBe('EXPRESSION_ERROR');
    expect(error.details).toEqual({ jsonata_code: 'T2001' });
  });

  it('stops runaway recursion', async () => {
    const error = await runError(jsonQueryBlock, { data: {}, expression: '($f := function($n) { $f($n + 1) + 1 }; $f(0))' });
    expect(error.code).toBe('EXPRESSION_ERROR');
    expect(error.message).toContain('recursed too deeply');
  });

  it('needs data and an expression', async () => {
    const error = await runError(jsonQueryBlock, { expression: '' });
    expect(error.message).toContain('data: is required');
    expect(error.message).toContain('expression: expected a JSONata expression');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(jsonQueryBlock, { data: 1, expression: '$' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
