// ChildWatch with a fake store: which WAITING runs wait for a child, which children finished, and the
// outcome each node gets (a completed child's outputs, size-checked; a failed or cancelled child as CHILD_FAILED).
import { describe, expect, it } from '@jest/globals';
import { NodeRunStatus } from '../engine/engine.types.js';
import { ChildWatch } from './child-watch.js';
import { fakeChildren, waitingRun } from './waits.fixtures.js';

const LIMITS = { maxValueBytes: 1024 };

describe('ChildWatch', () => {
  const waitsFor = (id: string, child?: string) => waitingRun(id, { kind: 'child_execution', ...(child ? { execution_id: child } : {}) }, { agent: 'sub' });

  it('finds the runs waiting for a child, skipping other waits, runs not WAITING, and a child not started yet', () => {
    const watch = new ChildWatch(fakeChildren([]).read);
    const runs = [
      waitsFor('a', 'c1'),
      waitsFor('b'),
      waitingRun('c', { kind: 'delay', delay_ms: 5 }),
      waitingRun('d', { kind: 'child_execution', execution_id: 'c2' }, {}, NodeRunStatus.COMPLETED),
    ];
    expect(watch.waits(runs).map((w) => [w.run.id, w.child])).toEqual([['a', 'c1']]);
  });

  it('reads all the children in one call and gives outcomes only for the finished ones', async () => {
    const store = fakeChildren([
      { id: 'c1', status: 'COMPLETED', outputs: { result: ['ok', 'again'] }, error: null },
      { id: 'c2', status: 'RUNNING', outputs: null, error: null },
      { id: 'c3', status: 'FAILED', outputs: null, error: { code: 'NODE_FAILED', message: 'boom', node_id: 'x' } },
      { id: 'c4', status: 'CANCELLED', outputs: null, error: null },
    ]);
    const watch = new ChildWatch(store.read);
    const waits = watch.waits([waitsFor('a', 'c1'), waitsFor('b', 'c2'), waitsFor('c', 'c3'), waitsFor('d', 'c4')]);
    const outcomes = await watch.outcomes(waits, LIMITS);
    expect(store.calls).toEqual([['c1', 'c2', 'c3', 'c4']]);
    expect(outcomes.map((o) => o.run.id)).toEqual(['a', 'c', 'd']);
    expect(outcomes[0]!.outcome).toEqual({
      ok: true,
      yields: [
        ['result', 'ok'],
        ['result', 'again'],
        ['outputs', { result: ['ok', 'again'] }],
      ],
    });
    expect(outcomes[1]!.outcome).toMatchObject({ ok: false, error: { code: 'CHILD_FAILED', message: expect.stringContaining('failed: NODE_FAILED: boom') } });
    expect(outcomes[2]!.outcome).toMatchObject({ ok: false, error: { code: 'CHILD_FAILED', message: expect.stringContaining('was cancelled') } });
  });

  it("checks a child's outputs against the value limit like any node's", async () => {
    const watch = new ChildWatch(fakeChildren([{ id: 'c1', status: 'COMPLETED', outputs: { result: ['x'.repeat(2000)] }, error: null }]).read);
    const [only] = await watch.outcomes(watch.waits([waitsFor('a', 'c1')]), LIMITS);
    expect(only!.outcome).toMatchObject({ ok: false, error: { code: 'VALUE_TOO_LARGE' } });
  });

  it('asks the store nothing without waits; anyFinished says false when the store cannot be read, and finished throws', async () => {
    const store = fakeChildren([]);
    const watch = new ChildWatch(store.read);
    expect(await watch.finished([])).toEqual([]);
    expect(store.calls).toEqual([]);
    const broken = new ChildWatch(() => Promise.reject(new Error('database down')));
    const waits = broken.waits([waitsFor('a', 'c1')]);
    expect(await broken.anyFinished(waits)).toBe(false);
    await expect(broken.finished(waits)).rejects.toThrow('database down');
  });
});
