import { describe, expect, it } from '@jest/globals';
import { ApiKeyUsage } from './api-key-usage.js';

describe('ApiKeyUsage', () => {
  it('queues at most one write per key per interval', () => {
    const usage = new ApiKeyUsage(60_000);
    expect(usage.touch('k1', 0)).toBe(true);
    expect(usage.touch('k1', 59_999)).toBe(false);
    expect(usage.touch('k2', 10)).toBe(true);
    expect(usage.touch('k1', 60_000)).toBe(true);
    const drained = usage.drain();
    expect([...drained.entries()]).toEqual([
      ['k1', new Date(60_000)],
      ['k2', new Date(10)],
    ]);
    expect(usage.drain().size).toBe(0);
  });

  it('shows the pending use until it is written', () => {
    const usage = new ApiKeyUsage(60_000);
    usage.touch('k1', 5_000);
    expect(usage.pendingFor('k1')).toEqual(new Date(5_000));
    usage.drain();
    expect(usage.pendingFor('k1')).toBeUndefined();
  });

  it('puts uses back after a failed write without losing newer ones', () => {
    const usage = new ApiKeyUsage(1_000);
    usage.touch('k1', 0);
    const failed = usage.drain();
    usage.touch('k1', 5_000);
    usage.restore(failed);
    expect(usage.pendingFor('k1')).toEqual(new Date(5_000));
    usage.forget('k1');
    expect(usage.pendingFor('k1')).toBeUndefined();
  });
});
