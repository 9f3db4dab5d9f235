import { describe, expect, it } from '@jest/globals';
import { KeyedSerial, Semaphore } from './gitops-serial.js';

/** A run that finishes when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('KeyedSerial', () => {
  it('runs one at a time per key, lets other keys through, and joins a delivery to the run already waiting', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const first = gate();
    const started = gate();
    const a1 = serial.run('7', async () => {
      log.push('a1 start');
      started.open();
      await first.promise;
      log.push('a1 end');
      return 'a1';
    });
    await started.promise;
    const a2 = serial.run('7', () => {
      log.push('a2');
      return Promise.resolve('a2');
    });
    const a3 = serial.run('7', () => {
      log.push('a3');
      return Promise.resolve('a3');
    });
    const b = serial.run('8', () => {
      log.push('b');
      return Promise.resolve('b');
    });
    expect(await b).toBe('b');
    expect(log).toEqual(['a1 start', 'b']);
    first.open();
    expect(await Promise.all([a1, a2, a3])).toEqual(['a1', 'a2', 'a2']);
    expect(log).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
    expect(serial.size).toBe(0);
  });

  it('joins deliveries that arrive before the first run has started: that run reads the newest state', async () => {
    const serial = new KeyedSerial();
    let runs = 0;
    const work = () => Promise.resolve(++runs);
    expect(await Promise.all([serial.run('7', work), serial.run('7', work)])).toEqual([1, 1]);
  });

  it('goes on after a failed run, and a run that has started is never joined', async () => {
    const serial = new KeyedSerial();
    await expect(serial.run('1', () => Promise.reject(new Error('GitHub said 502')))).rejects.toThrow('GitHub said 502');
    const running = gate();
    const started = gate();
    const one = serial.run('1', async () => {
      started.open();
      await running.promise;
      return 1;
    });
    await started.promise;
    const two = serial.run('1', () => Promise.resolve(2));
    running.open();
    expect(await Promise.all([one, two])).toEqual([1, 2]);
  });
});

describe('Semaphore', () => {
  it('runs at most its size at once and lets the waiting ones in, in order, as runs end (failed ones too)', async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      semaphore
        .use(async () => {
          active++;
          most = Math.max(most, active);
          order.push(i);
          await g.promise;
          active--;
          if (i === 0) throw new Error('failed');
          return i;
        })
        .catch(() => -1),
    );
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([-1, 1, 2, 3]);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3]);
  });
});
