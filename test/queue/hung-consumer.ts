// Starts hung-consumer.fixture.ts and reports what it prints; kill() is SIGKILL (nothing runs after it).
import { spawn } from 'node:child_process';

export interface HungConsumer {
  /** Resolves once the child consumes; `delivered` once its handler got a job. */
  consuming: Promise<void>;
  delivered: Promise<void>;
  kill(): Promise<void>;
}

export function startHungConsumer(args: { driver: 'postgres' | 'bullmq'; queue: string; url: string; prefix?: string; leaseMs: number }): HungConsumer {
  const child = spawn(
    process.execPath,
    [
      '--import',
      './test/agents/fixtures/register-ts.mjs',
      'test/queue/hung-consumer.fixture.ts',
      args.driver,
      args.queue,
      args.url,
      args.prefix ?? '-',
      String(args.leaseMs),
    ],
    {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  const seen = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => output.includes(text) && resolve();
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        check();
      });
      child.on('exit', (code) => reject(new Error(`the hung consumer exited (${code}) before printing "${text}"`)));
    });
  const consuming = seen('consuming');
  const delivered = seen('delivered');
  consuming.catch(() => undefined);
  delivered.catch(() => undefined);
  return {
    consuming,
    delivered,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
