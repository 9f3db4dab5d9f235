// Starts hung-consumer.fixture.mjs (on the built queue, built first when stale) and reports what it prints;
// kill() is SIGKILL (nothing runs after it).
import { spawn, type ChildProcess } from 'node:child_process';
import { ensureBuilt } from '../helpers/built.js';

export interface HungConsumer {
  /** Resolves once the child consumes; `delivered` once its handler got a job. */
  consuming: Promise<void>;
  delivered: Promise<void>;
  kill(): Promise<void>;
}

export function startHungConsumer(args: { driver: 'postgres' | 'bullmq'; queue: string; url: string; prefix?: string; leaseMs: number }): HungConsumer {
  const started: Promise<ChildProcess> = ensureBuilt().then(() =>
    spawn(process.execPath, ['test/queue/hung-consumer.fixture.mjs', args.driver, args.queue, args.url, args.prefix ?? '-', String(args.leaseMs)], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  let output = '';
  const waiters: Array<() => void> = [];
  void started.then((child) =>
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const waiter of waiters) waiter();
    }),
  );
  const seen = (text: string) =>
    started.then(
      (child) =>
        new Promise<void>((resolve, reject) => {
          const check = () => output.includes(text) && resolve();
          waiters.push(check);
          check();
          child.on('exit', (code) => reject(new Error(`the hung consumer exited (${code}) before printing "${text}"`)));
        }),
    );
  const consuming = seen('consuming');
  const delivered = seen('delivered');
  consuming.catch(() => undefined);
  delivered.catch(() => undefined);
  return {
    consuming,
    delivered,
    kill: async () => {
      const child = await started;
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
