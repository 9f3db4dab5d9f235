import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { calculateBlock } from './math.calculate.js';

const calc = async (a: number, operation: string, b: number) => (await run(calculateBlock, { a, operation, b }))[0]![1];

describe('math.calculate', () => {
  it('computes every operation', async () => {
    expect(await calc(7, 'add', 3)).toBe(10);
    expect(await calc(7, 'subtract', 3)).toBe(4);
    expect(await calc(7, 'multiply', 3)).toBe(21);
    expect(await calc(7, 'divide', 2)).toBe(3.5);
    expect(await calc(-7, 'modulo', 3)).toBe(-1);
    expect(await calc(2, 'power', 10)).toBe(1024);
  });

  it('refuses to divide by zero', async () => {
    const error = await runError(calculateBlock, { a: 1, operation: 'divide', b: 0 });
    expect(error).toMatchObject({ code: 'DIVISION_BY_ZERO', status: 422 });
    expect(error.message).toContain('cannot divide 1 by zero');
    expect((await runError(calculateBlock, { a: 1, operation: 'modulo', b: 0 })).code).toBe('DIVISION_BY_ZERO');
  });

  it('refuses results that are not finite numbers', async () => {
    expect((await runError(calculateBlock, { a: 10, operation: 'power', b: 400 })).message).toContain('not a finite number');
  });

  it('refuses bad inputs', async () => {
    const error = await runError(calculateBlock, { a: '1', operation: 'sqrt' });
    expect(error.message).toContain('a: expected a number, got the text "1"');
    expect(error.message).toContain('operation: expected one of "add"');
    expect(error.message).toContain('b: is required');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(calculateBlock, { a: 1, operation: 'add', b: 1 }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
