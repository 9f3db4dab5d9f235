import { afterEach, describe, expect, it } from '@jest/globals';
import { SandboxPool } from './sandbox-pool.js';
import type { SandboxJob, SandboxOutcome } from './sandbox.types.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('sandbox pool', () => {
  const MB = 1024 * 1024;
  const pools: SandboxPool[] = [];
  const pool = (workers: number, memoryBytes = 64 * MB) => {
    const made = new SandboxPool({ workers, memoryBytes });
    pools.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.shutdown()));
  });

  const jsonata = (expression: string, data: unknown = {}): SandboxJob => ({ kind: 'jsonata', expression, data });
  const options = (key: string, timeoutMs = 1_000, signal = new AbortController().signal) => ({ key, signal, timeoutMs, maxValueBytes: MB });
  /** A regular expression that backtracks for seconds inside JSONata: only terminating the worker stops it. */
  const CATASTROPHIC = jsonata('$match(text, /^(a+)+$/)', { text: `${'a'.repeat(34)}!` });

  describe('the sandbox pool', () => {
    it('evaluates JSONata, Liquid and code.js in worker threads', async () => {
      const sandbox = pool(2);
      expect(await sandbox.run(jsonata('$sum(items.price)', { items: [{ price: 2 }, { price: 3 }] }), options('a'))).toMatchObject({ kind: 'ok', json: '5' });
      expect(await sandbox.run({ kind: 'liquid', template: 'Hi {{ who }}', values: { who: 'Ann' } }, options('a'))).toMatchObject({
        kind: 'ok',
        json: '"Hi Ann"',
      });
      expect(await sandbox.run({ kind: 'js', code: 'return input * 2', inputJson: '21' }, options('a'))).toMatchObject({ kind: 'ok', json: '42' });
    });

    it('serves waiting work round-robin across keys, each key in its own order', async () => {
      const sandbox = pool(1);
      const order: string[] = [];
      const submit = (key: string, name: string) => sandbox.run(jsonata(`"${name}"`), options(key)).then((outcome) => order.push(`${name}:${outcome.kind}`));
      // Everything waits for the worker to start: key a asked first and most, but gets one turn in three.
      await Promise.all([submit('a', 'a1'), submit('a', 'a2'), submit('a', 'a3'), submit('b', 'b1'), submit('b', 'b2'), submit('c', 'c1')]);
      expect(order).toEqual(['a1:ok', 'b1:ok', 'c1:ok', 'a2:ok', 'b2:ok', 'a3:ok']);
      // With the worker busy on a4, key a's turn comes once (a5), then b3's, although a6 asked before b3.
      order.length = 0;
      await Promise.all([submit('a', 'a4'), submit('a', 'a5'), submit('a', 'a6'), submit('b', 'b3')]);
      expect(order).toEqual(['a4:ok', 'a5:ok', 'b3:ok', 'a6:ok']);
    });

    it('terminates a worker past the hard limit, fails that task with timeout, and replaces the worker for the work waiting', async () => {
      const sandbox = pool(1);
      const started = performance.now();
      const stuck = sandbox.run(CATASTROPHIC, options('a', 300));
      const next = sandbox.run(jsonata('1 + 1'), options('b'));
      const outcome = await stuck;
      const took = performance.now() - started;
      expect(outcome).toMatchObject({ kind: 'timeout', message: 'it ran past its time limit of 300 ms' });
      // Not before its deadline; a worker that were never terminated would never answer (jest's timeout fails it).
      expect(took).toBeGreaterThanOrEqual(300);
      expect(await next).toMatchObject({ kind: 'ok', json: '2' });
      expect(sandbox.stats()).toMatchObject({ workers: 1, busy: 0, queued: 0, started: 2, timeouts: 1 });
    });

    it('ends a cooperative overrun without losing the worker', async () => {
      const sandbox = pool(1);
      const loop = { kind: 'liquid' as const, template: '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}', values: {} };
      expect(await sandbox.run(loop, options('a', 200))).toMatchObject({ kind: 'timeout' });
      expect(await sandbox.run(jsonata('"still here"'), options('a'))).toMatchObject({ kind: 'ok', json: '"still here"' });
      expect(sandbox.stats()).toMatchObject({ started: 1, timeouts: 1 });
    });

    it('terminates a worker that runs out of heap, fails that task with memory, and goes on', async () => {
      const sandbox = pool(1, 32 * MB);
      // Many small values: the heap grows step by step until the worker's limit stops it. The time limit is far
      // away so that a slow (busy) machine still meets the memory limit first.
      const outcome = await sandbox.run(jsonata('$count([1..1000000].{"n": $, "s": $string($), "l": [$, $, $]})'), options('a', 60_000));
      expect(outcome).toMatchObject({ kind: 'memory', message: 'it used more memory than the sandbox allows' });
      expect(await sandbox.run(jsonata('"after"'), options('a'))).toMatchObject({ kind: 'ok', json: '"after"' });
      expect(sandbox.stats()).toMatchObject({ workers: 1, started: 2, timeouts: 0 });
    }, 90_000);

    it('refuses single steps that would allocate more than the limits allow, before allocating', async () => {
      const sandbox = pool(1);
      expect(await sandbox.run(jsonata('$count([1..5000000])'), options('a'))).toMatchObject({ kind: 'error', code: 'D2015' });
      expect(await sandbox.run(jsonata('$length($pad("", 500000000))'), options('a'))).toMatchObject({ kind: 'too_large', bytes: 500000002 });
      expect(await sandbox.run(jsonata('$length($pad("x", 10))'), options('a'))).toMatchObject({ kind: 'ok', json: '10' });
    });

    it('refuses a result larger than the value limit in the worker', async () => {
      const outcome = await pool(1).run(jsonata('[1..1000].$string($)'), { ...options('a'), maxValueBytes: 1000 });
      expect(outcome).toMatchObject({ kind: 'too_large', bytes: JSON.stringify(Array.from({ length: 1000 }, (_, i) => String(i + 1))).length });
    });

    it('answers a stopped task at once, whether it waits or runs', async () => {
      const sandbox = pool(1);
      await sandbox.run(jsonata('0'), options('warm-up'));
      const running = new AbortController();
      const waiting = new AbortController();
      const first = sandbox.run(CATASTROPHIC, options('a', 5_000, running.signal));
      const second = sandbox.run(jsonata('1'), options('b', 1_000, waiting.signal));
      waiting.abort();
      expect(await second).toMatchObject({ kind: 'cancelled', message: 'stopped before it started' });
      running.abort();
      const outcomes: SandboxOutcome[] = [await first];
      expect(outcomes[0]).toMatchObject({ kind: 'cancelled', message: 'stopped' });
    });
  });
});
