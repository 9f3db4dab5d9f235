import { describe, expect, it } from '@jest/globals';
import { ExecutionBatcher } from './execution-batcher.js';

/** An insert whose calls the test releases by hand, recording each batch it was given. */
function controlledInsert(failWhen: (rows: readonly string[]) => boolean = () => false) {
  const batches: string[][] = [];
  const releases: Array<() => void> = [];
  const insert = (rows: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push([...rows]);
      releases.push(() => (failWhen(rows) ? reject(new Error(`bad batch ${rows.join(',')}`)) : resolve(rows.map((row) => `id-${row}`))));
    });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  /** Lets the oldest statement in flight finish. */
  const releaseNext = async () => {
    await tick();
    const release = releases.shift();
    if (!release) throw new Error('no statement is in flight');
    release();
    await tick();
  };
  /** Lets every statement finish, including the ones the batcher issues meanwhile. */
  const drain = async () => {
    await tick();
    while (releases.length > 0) await releaseNext();
  };
  return { insert, batches, releaseNext, drain };
}

describe('ExecutionBatcher', () => {
  it('writes the first row at once, and the rows that arrive meanwhile together in the next statement', async () => {
    const db = controlledInsert();
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 1);
    const first = batcher.add('a');
    const others = ['b', 'c', 'd'].map((row) => batcher.add(row));
    expect(db.batches).toEqual([['a']]);
    await db.releaseNext();
    expect(db.batches).toEqual([['a'], ['b', 'c', 'd']]);
    await db.releaseNext();
    await expect(first).resolves.toBe('id-a');
    await expect(Promise.all(others)).resolves.toEqual(['id-b', 'id-c', 'id-d']);
  });

  it('caps a statement at maxBatch rows', async () => {
    const db = controlledInsert();
    const batcher = new ExecutionBatcher<string>(db.insert, 2, 1);
    const all = ['a', 'b', 'c', 'd', 'e'].map((row) => batcher.add(row));
    await db.drain();
    await expect(Promise.all(all)).resolves.toEqual(['id-a', 'id-b', 'id-c', 'id-d', 'id-e']);
    expect(db.batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('retries a failed batch row by row, so only the bad row fails', async () => {
    const db = controlledInsert((rows) => rows.includes('bad'));
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 1);
    const first = batcher.add('a');
    const rest = ['b', 'bad', 'c'].map((row) =>
      batcher.add(row).then(
        (id) => ({ id }),
        (error: Error) => ({ error: error.message }),
      ),
    );
    await db.drain();
    expect(db.batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
    await expect(first).resolves.toBe('id-a');
    await expect(Promise.all(rest)).resolves.toEqual([{ id: 'id-b' }, { error: 'bad batch bad' }, { id: 'id-c' }]);
  });

  it('rejects a single row that fails', async () => {
    const db = controlledInsert(() => true);
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 1);
    const only = expect(batcher.add('x')).rejects.toThrow('bad batch x');
    await db.releaseNext();
    await only;
  });

  it('runs up to maxInFlight statements at once, and groups the rows that arrive while all are busy', async () => {
    const db = controlledInsert();
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((row) => batcher.add(row));
    expect(db.batches).toEqual([['a'], ['b']]);
    await db.releaseNext();
    expect(db.batches).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    await db.drain();
    await expect(Promise.all(all)).resolves.toEqual(['id-a', 'id-b', 'id-c', 'id-d', 'id-e']);
  });

  it('answers no row before its own statement resolved', async () => {
    const db = controlledInsert();
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 2);
    const settled: string[] = [];
    for (const row of ['a', 'b', 'c']) void batcher.add(row).then((id) => settled.push(id));
    await db.releaseNext(); // ['a'] committed; ['b'] still in flight, ['c'] written next
    expect(settled).toEqual(['id-a']);
    await db.drain();
    expect(settled.sort()).toEqual(['id-a', 'id-b', 'id-c']);
  });

  it('drain() resolves only once every row added so far is written, the rows queued behind the first statements too', async () => {
    const db = controlledInsert((rows) => rows.includes('bad'));
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 1);
    await batcher.drain(); // nothing added: at once
    const rows = ['a', 'b', 'bad'].map((row) => batcher.add(row).catch((error: Error) => error.message));
    let drained = false;
    const draining = batcher.drain().then(() => void (drained = true));
    await db.releaseNext(); // ['a']; ['b', 'bad'] is written next
    expect(drained).toBe(false);
    await db.releaseNext(); // ['b', 'bad'] fails, and is retried row by row
    expect(drained).toBe(false);
    await db.drain();
    await draining;
    expect(drained).toBe(true);
    await expect(Promise.all(rows)).resolves.toEqual(['id-a', 'id-b', 'bad batch bad']);
  });

  it('hands the committed rows of each batch to afterCommit once their callers are answered, without the rows that failed', async () => {
    const db = controlledInsert((rows) => rows.includes('bad'));
    const added = new Map<string, Promise<string>>();
    const seen: Array<{ rows: string[]; answered: boolean[] }> = [];
    // Already resolved: race settles with it, since its reaction was queued first.
    const settledNow = async (promise: Promise<string>) => (await Promise.race([promise, Promise.resolve('pending')])) !== 'pending';
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 1, async (rows) => {
      seen.push({ rows: [...rows], answered: await Promise.all(rows.map((row) => settledNow(added.get(row)!))) });
    });
    for (const row of ['a', 'b', 'bad', 'c']) added.set(row, batcher.add(row));
    const outcomes = Promise.all([...added.values()].map((p) => p.catch((error: Error) => error.message)));
    await db.drain();
    await batcher.drain();
    await expect(outcomes).resolves.toEqual(['id-a', 'id-b', 'bad batch bad', 'id-c']);
    expect(seen).toEqual([
      { rows: ['a'], answered: [true] },
      { rows: ['b', 'c'], answered: [true, true] },
    ]);
  });

  it('does not hold the next INSERT behind a slow afterCommit, and drain() waits for it', async () => {
    const db = controlledInsert();
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const batcher = new ExecutionBatcher<string>(db.insert, 500, 1, () => slow);
    const first = batcher.add('a');
    await db.releaseNext();
    await expect(first).resolves.toBe('id-a');
    const second = batcher.add('b');
    expect(db.batches).toEqual([['a'], ['b']]);
    await db.releaseNext();
    await expect(second).resolves.toBe('id-b');
    let drained = false;
    const draining = batcher.drain().then(() => void (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    release();
    await draining;
    expect(drained).toBe(true);
  });
});
