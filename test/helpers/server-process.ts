// Another process of a test app's cluster: the built server (`node dist/src/main.js --role <role>`, see
// built.ts) on the app's database, Redis and queue prefix, its stdout kept for the test to read. Call
// ensureBuilt() first.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestApp } from './app.js';
import { SERVER_MAIN } from './built.js';
import { TEST_REDIS_URL } from './queue.js';

export interface ServerProcess {
  child: ChildProcess;
  /** Everything it printed on stdout so far (pino JSON lines at LOG_LEVEL). */
  output(): string;
}

export function startServerProcess(t: TestApp, role: 'api' | 'worker' | 'all', env: Record<string, string> = {}): ServerProcess {
  const child = spawn(process.execPath, [SERVER_MAIN, '--role', role], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      TRELLIS_ENV: 'test',
      DATABASE_URL: t.database.url,
      REDIS_URL: TEST_REDIS_URL,
      TRELLIS_QUEUE_PREFIX: t.config.queuePrefix,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  return { child, output: () => output };
}
