// OutsideWatch with a fake OUTSIDE_WAITS port: how reviews, events and ai.agent tool waits end (a decision,
// an event, a timeout), that each ending is taken once until released, and that runs not waiting take nothing.
import { describe, expect, it } from '@jest/globals';
import { NodeRunStatus } from '../engine/engine.types.js';
import { OutsideWatch } from './outside-watch.js';
import { approved, fakeChildren, fakeOutside, timedOut, waitingRun } from './waits.fixtures.js';

const review = (id: string, reviewId: string) => waitingRun(id, { kind: 'review', review_id: reviewId, delay_ms: 1000 });
const event = (id: string, onTimeout?: 'continue') =>
  waitingRun(id, { kind: 'event', key: 'k', delay_ms: 1000 }, { key: 'k', ...(onTimeout ? { on_timeout: onTimeout } : {}) });
const tool = (id: string, reviewIds: string[], childIds?: string[]) =>
  waitingRun(id, { kind: 'tool', review_ids: reviewIds, ...(childIds ? { child_ids: childIds } : {}), delay_ms: 1000 });

describe('OutsideWatch', () => {
  it('gives a decided review and a consumed event as their nodes outcomes, and leaves the undecided ones', async () => {
    const port = fakeOutside();
    port.reviews.set('r1', approved({ post: 1 }));
    port.events.set('e1', { event: { n: 1 }, headers: { 'x-a': 'b' } });
    const watch = new OutsideWatch(port);
    const ends = await watch.ended([review('a', 'r1'), review('b', 'r2'), event('e1'), event('e2')]);
    expect(ends.map((end) => [end.run.id, end.outcome])).toEqual([
      [
        'a',
        {
          ok: true,
          yields: [
            ['approved', { post: 1 }],
            ['decision', approved(null).decision],
          ],
        },
      ],
      [
        'e1',
        {
          ok: true,
          yields: [
            ['event', { n: 1 }],
            ['headers', { 'x-a': 'b' }],
          ],
        },
      ],
    ]);
  });

  it('takes an ending once: a second look finds nothing until the ending is released (its write failed)', async () => {
    const port = fakeOutside();
    port.reviews.set('r1', approved('d'));
    const watch = new OutsideWatch(port);
    const runs = [review('a', 'r1')];
    expect(await watch.ended(runs)).toHaveLength(1);
    expect(await watch.ended(runs)).toEqual([]);
    expect(await watch.expire(runs[0]!)).toBeNull();
    watch.release('a');
    expect(await watch.ended(runs)).toHaveLength(1);
  });

  it('ignores runs that are not WAITING on a review, an event or a tool, and answers nothing without a port', async () => {
    const port = fakeOutside();
    port.reviews.set('r1', approved('d'));
    const done = waitingRun('a', { kind: 'review', review_id: 'r1', delay_ms: 1 }, {}, NodeRunStatus.COMPLETED);
    expect(await new OutsideWatch(port).ended([done, waitingRun('b', { kind: 'delay', delay_ms: 1 })])).toEqual([]);
    expect(await new OutsideWatch(null).ended([review('c', 'r1')])).toEqual([]);
    expect(await new OutsideWatch(null).expire(review('c', 'r1'))).toBeNull();
  });

  it('resumes an ai.agent only once every review and every child of its turn ended', async () => {
    const port = fakeOutside();
    const children = fakeChildren([
      { id: 'c1', status: 'COMPLETED', outputs: {}, error: null },
      { id: 'c2', status: 'RUNNING', outputs: null, error: null },
    ]);
    port.reviews.set('r1', approved('x'));
    const watch = new OutsideWatch(port, children.read);
    const runs = [tool('a', ['r1'], ['c1']), tool('b', ['r1', 'r2']), tool('c', [], ['c2'])];
    expect((await watch.ended(runs)).map((end) => [end.run.id, end.outcome])).toEqual([['a', 'resume']]);
    children.rows.set('c2', { id: 'c2', status: 'FAILED', outputs: null, error: null });
    port.reviews.set('r2', approved('y'));
    expect((await watch.ended(runs)).map((end) => end.run.id)).toEqual(['b', 'c']);
  });

  it('times a review out by its on_timeout, and a decision that came first wins', async () => {
    const port = fakeOutside();
    port.expiring.set('r1', timedOut('fail'));
    port.reviews.set('r2', approved('first'));
    const watch = new OutsideWatch(port);
    expect(await watch.expire(review('a', 'r1'))).toMatchObject({ outcome: { ok: false, error: { code: 'REVIEW_TIMEOUT' } } });
    expect(await watch.expire(review('b', 'r2'))).toMatchObject({ outcome: { ok: true, yields: [['approved', 'first'], expect.anything()] } });
    expect(await watch.expire(review('c', 'r-gone'))).toBeNull();
    expect(port.expired).toEqual(['r1', 'r2', 'r-gone']);
  });

  it('times an event wait out as EVENT_TIMEOUT, or with event null under on_timeout continue; an event that came first wins', async () => {
    const port = fakeOutside();
    port.events.set('e3', { event: 'came', headers: {} });
    const watch = new OutsideWatch(port);
    expect(await watch.expire(event('e1'))).toMatchObject({ outcome: { ok: false, error: { code: 'EVENT_TIMEOUT' } } });
    expect(await watch.expire(event('e2', 'continue'))).toMatchObject({
      outcome: {
        ok: true,
        yields: [
          ['event', null],
          ['headers', {}],
        ],
      },
    });
    expect(await watch.expire(event('e3'))).toMatchObject({ outcome: { ok: true, yields: [['event', 'came'], expect.anything()] } });
  });

  it("expires each of an ai.agent's reviews, and resumes it only when its children ended too", async () => {
    const port = fakeOutside();
    const children = fakeChildren([{ id: 'c1', status: 'RUNNING', outputs: null, error: null }]);
    const watch = new OutsideWatch(port, children.read);
    const run = tool('a', ['r1', 'r2'], ['c1']);
    expect(await watch.expire(run)).toBeNull();
    expect(port.expired).toEqual(['r1', 'r2']);
    children.rows.set('c1', { id: 'c1', status: 'COMPLETED', outputs: {}, error: null });
    expect(await watch.expire(run)).toEqual({ run, outcome: 'resume' });
  });
});
