import { describe, expect, it } from '@jest/globals';
import { LocalHandoff } from './local-handoff.js';

describe('LocalHandoff', () => {
  it('refuses every execution while no local worker is registered (they go through the queue)', () => {
    expect(new LocalHandoff().offer('e1')).toBe(false);
  });

  it('hands executions to the registered worker, which may refuse them when it is full', () => {
    const handoff = new LocalHandoff();
    const taken: string[] = [];
    handoff.register((id) => {
      if (taken.length >= 2) return false;
      taken.push(id);
      return true;
    });
    expect([handoff.offer('e1'), handoff.offer('e2'), handoff.offer('e3')]).toEqual([true, true, false]);
    expect(taken).toEqual(['e1', 'e2']);
  });

  it('stops handing over once the worker unregisters (shutdown), and an old registration cannot remove a newer one', () => {
    const handoff = new LocalHandoff();
    const unregisterOld = handoff.register(() => true);
    const unregisterNew = handoff.register(() => true);
    unregisterOld();
    expect(handoff.offer('e1')).toBe(true);
    unregisterNew();
    expect(handoff.offer('e2')).toBe(false);
  });
});
