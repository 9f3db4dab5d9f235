// A redis-server of a test's own (no persistence), for outages: kill -9 it, freeze it with SIGSTOP, start it again empty.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { waitFor } from './wait.js';

export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version']).status === 0;

export interface PrivateRedis {
  url: string;
  /** Starts it (again, empty) on the same port. */
  start(): Promise<void>;
  /** SIGKILL, and waits until the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP: the connections stay open and nothing is answered (a hung Redis). */
  freeze(): void;
  thaw(): void;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  let child: ChildProcess | null = null;
  const handle: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child = started;
      let log = '';
      started.stdout!.on('data', (chunk: Buffer) => void (log += chunk.toString()));
      await waitFor(() => /Ready to accept connections/.test(log), Boolean, { timeoutMs: 20_000, what: `redis-server on port ${port} to start` });
    },
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      running.kill('SIGKILL');
      await waitFor(() => running.exitCode !== null || running.signalCode !== null, Boolean, { what: `redis-server on port ${port} to die` });
    },
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
  };
  await handle.start();
  return handle;
}
