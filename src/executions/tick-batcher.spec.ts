import { describe, expect, it } from '@jest/globals';
import { TickBatcher } from './tick-batcher.js';

describe('TickBatcher', () => {
  it('answers every caller of one turn from one load, keys deduplicated, unknown keys null', async () => {
    const loads: string[][] = [];
    const batcher = new TickBatcher<string, number>(async (keys) => {
      loads.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
    });
    const answers = await Promise.all([batcher.get('a'), batcher.get('bb'), batcher.get('a'), batcher.get('missing')]);
    expect(answers).toEqual([1, 2, 1, null]);
    expect(loads).toEqual([['a', 'bb', 'missing']]);
  });

  it('loads again for a later turn (nothing is cached)', async () => {
    let calls = 0;
    const batcher = new TickBatcher<string, number>(async (keys) => new Map(keys.map((k) => [k, ++calls])));
    expect(await batcher.get('a')).toBe(1);
    expect(await batcher.get('a')).toBe(2);
  });

  it('rejects every caller of the turn when the load fails, and works again afterwards', async () => {
    let fail = true;
    const batcher = new TickBatcher<string, string>(async (keys) => {
      if (fail) throw new Error('database away');
      return new Map(keys.map((k) => [k, k]));
    });
    const results = await Promise.allSettled([batcher.get('a'), batcher.get('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.get('b')).toBe('b');
  });
});
