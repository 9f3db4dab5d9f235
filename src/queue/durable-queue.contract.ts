// The behaviour every DurableQueue driver promises, as one suite: bullmq-queue.e2e-spec.ts runs it against
// real Redis, postgres-queue.e2e-spec.ts against real Postgres. A driver is done when it passes all of it.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { DurableQueue, QueueJob } from './durable-queue.types.js';

export interface QueueHarness {
  /** A queue named `name` on the harness's store (each call: connections of its own). */
  open(name: string): Promise<DurableQueue<TestJob>>;
  /** A consumer of `name` in a process of its own whose handler never ends; kill() is SIGKILL. */
  hungConsumer(name: string): { consuming: Promise<void>; delivered: Promise<void>; kill(): Promise<void> };
  /** The lease the harness configures (short, so that redelivery happens within a test). */
  leaseMs: number;
  teardown(): Promise<void>;
}

export interface TestJob {
  n: number;
}

/** A promise with its resolve function outside. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function durableQueueContract(driver: string, makeHarness: () => QueueHarness): void {
  describe(`DurableQueue contract: ${driver}`, () => {
    const harness = makeHarness();
    const opened: Array<DurableQueue<TestJob>> = [];
    let counter = 0;
    const open = async (name = `contract${++counter}`) => {
      const queue = await harness.open(name);
      opened.push(queue);
      return { queue };
    };

    afterEach(async () => {
      for (const queue of opened.splice(0)) await queue.close();
    });
    afterAll(() => harness.teardown());

    it('delivers jobs due at once in the order they were enqueued (one consumer, concurrency 1)', async () => {
      const { queue } = await open();
      for (let n = 1; n <= 5; n++) await queue.enqueue({ n });
      const seen: number[] = [];
      await queue.consume(async (job) => void seen.push(job.data.n), { concurrency: 1 });
      await until('five deliveries', () => seen.length === 5);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
    });

    it('holds a delayed job back until its delay has passed, and delivers it with attempt 1 and no fire time', async () => {
      const { queue } = await open();
      const seen: Array<{ job: QueueJob<TestJob>; at: number }> = [];
      await queue.consume(async (job) => void seen.push({ job, at: Date.now() }), { concurrency: 2 });
      const enqueuedAt = Date.now();
      await queue.enqueue({ n: 1 }, { delayMs: 600 });
      await queue.enqueue({ n: 2 });
      await until('both deliveries', () => seen.length === 2);
      expect(seen.map((s) => s.job.data.n)).toEqual([2, 1]);
      expect(seen[1]!.at - enqueuedAt).toBeGreaterThanOrEqual(550);
      expect(seen[1]!.job).toMatchObject({ attempt: 1, scheduledFor: null });
    });

    it('ignores a job whose dedupe key is already waiting, and counts waiting and delayed jobs in depth', async () => {
      const { queue } = await open();
      await queue.enqueue({ n: 1 }, { dedupeKey: 'same' });
      await queue.enqueue({ n: 2 }, { dedupeKey: 'same' });
      await queue.enqueue({ n: 3 }, { dedupeKey: 'other', delayMs: 60_000 });
      await queue.enqueue({ n: 4 });
      expect(await queue.depth()).toBe(3);
      const seen: number[] = [];
      await queue.consume(async (job) => void seen.push(job.data.n), { concurrency: 1 });
      await until('the two due jobs', () => seen.length === 2);
      expect(seen).toEqual([1, 4]);
      await until('depth to count only the delayed job', async () => (await queue.depth()) === 1);
    });

    it('enqueueMany adds jobs in the order given, skips a dedupe key already waiting (or repeated in the group), and delays those with a delay', async () => {
      const { queue } = await open();
      await queue.enqueue({ n: 1 }, { dedupeKey: 'one' });
      await queue.enqueueMany([]);
      await queue.enqueueMany([
        { data: { n: 2 } },
        { data: { n: 3 }, options: { dedupeKey: 'one' } },
        { data: { n: 4 }, options: { dedupeKey: 'four' } },
        { data: { n: 5 }, options: { dedupeKey: 'four' } },
        { data: { n: 6 }, options: { delayMs: 60_000 } },
        { data: { n: 7 } },
      ]);
      expect(await queue.depth()).toBe(5);
      const seen: number[] = [];
      await queue.consume(async (job) => void seen.push(job.data.n), { concurrency: 1 });
      await until('the four due jobs', () => seen.length === 4);
      expect(seen).toEqual([1, 2, 4, 7]);
      await until('depth to count only the delayed job', async () => (await queue.depth()) === 1);
    });

    it('runs at most `concurrency` handlers at once', async () => {
      const { queue } = await open();
      for (let n = 1; n <= 8; n++) await queue.enqueue({ n });
      let running = 0;
      let most = 0;
      let done = 0;
      await queue.consume(
        async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 60));
          running--;
          done++;
        },
        { concurrency: 3 },
      );
      await until('eight jobs done', () => done === 8);
      expect(most).toBe(3);
    });

    it('stop waits for the handlers in flight and takes no job after it, while enqueue still works', async () => {
      const { queue } = await open();
      const release = gate();
      const started: number[] = [];
      let finished = 0;
      await queue.consume(
        async (job) => {
          started.push(job.data.n);
          await release.promise;
          finished++;
        },
        { concurrency: 2 },
      );
      await queue.enqueue({ n: 1 });
      await until('the first job to start', () => started.length === 1);
      let stopped = false;
      const stopping = queue.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stopped).toBe(false);
      release.open();
      await stopping;
      expect(finished).toBe(1);
      await queue.enqueue({ n: 2 });
      expect(await queue.depth()).toBe(1);
      expect(started).toEqual([1]);
    });

    it('delivers a job again, as attempt 2, when its consumer process is killed mid-job', async () => {
      const { queue } = await open();
      const lost = harness.hungConsumer(queue.name);
      try {
        await lost.consuming;
        await queue.enqueue({ n: 7 });
        await lost.delivered;
      } finally {
        await lost.kill();
      }
      const redelivered: Array<QueueJob<TestJob>> = [];
      await queue.consume(async (job) => void redelivered.push(job), { concurrency: 1 });
      await until('the redelivery', () => redelivered.length === 1, harness.leaseMs * 4 + 10_000);
      expect(redelivered[0]).toMatchObject({ data: { n: 7 }, attempt: 2 });
      await until('the queue to be empty', async () => (await queue.depth()) === 0);
    }, 60_000);

    it('delivers a job whose handler threw again, up to the attempts allowed', async () => {
      const { queue } = await open();
      const attempts: number[] = [];
      await queue.consume(
        async (job) => {
          attempts.push(job.attempt);
          if (job.attempt === 1) throw new Error('first try fails');
        },
        { concurrency: 1 },
      );
      await queue.enqueue({ n: 1 });
      await until('the second attempt', () => attempts.length === 2);
      expect(attempts).toEqual([1, 2]);
    });

    it('fires a repeating job at each cron time with its fire time, once per time across two consumers, until removed', async () => {
      const a = await open();
      const b = await open(a.queue.name);
      const fires: number[] = [];
      const record = async (job: QueueJob<TestJob>) => void fires.push(job.scheduledFor!.getTime());
      await a.queue.repeat('every-second', { cron: '* * * * * *', timezone: 'UTC' }, { n: 1 });
      await b.queue.repeat('every-second', { cron: '* * * * * *', timezone: 'UTC' }, { n: 1 });
      expect(await a.queue.repeatKeys()).toEqual(['every-second']);
      await a.queue.consume(record, { concurrency: 2 });
      await b.queue.consume(record, { concurrency: 2 });
      await until('three fires', () => fires.length >= 3, 10_000);
      await a.queue.unrepeat('every-second');
      expect(await b.queue.repeatKeys()).toEqual([]);
      const stoppedAt = fires.length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(fires.length).toBeLessThanOrEqual(stoppedAt + 1);
      expect(fires.every((time) => time % 1000 === 0)).toBe(true);
      expect(new Set(fires).size).toBe(fires.length);
    });

    it('close lets a queue go: a new queue of the same name sees what was left waiting', async () => {
      const first = await open();
      await first.queue.enqueue({ n: 9 });
      await first.queue.close();
      opened.splice(opened.indexOf(first.queue), 1);
      const reopened = await open(first.queue.name);
      const seen: number[] = [];
      await reopened.queue.consume(async (job) => void seen.push(job.data.n), { concurrency: 1 });
      await until('the job left waiting', () => seen.length === 1);
      expect(seen).toEqual([9]);
    });
  });
}
