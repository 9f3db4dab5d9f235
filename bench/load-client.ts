// A load generator in its own process: the bench runs the server in its own process, and a client in the same
// process would add its own heap, garbage and CPU to the server's figures (issue 16 measures the server's
// resident memory). `submitFromChildProcess` starts this file with a job; it POSTs `count` requests with
// `concurrency` in flight, each expected to answer 2xx with an execution id, and prints one JSON line.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  count: number;
  concurrency: number;
}

export interface LoadResult {
  /** Epoch milliseconds of the first request sent and of the last answer received. */
  startedAt: number;
  finishedAt: number;
  failed: number;
  firstError?: string;
}

async function run(job: LoadJob): Promise<LoadResult> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const startedAt = Date.now();
  const lanes = Array.from({ length: Math.min(job.concurrency, job.count) }, async () => {
    while (next < job.count) {
      next++;
      try {
        const response = await fetch(job.url, { method: 'POST', headers: job.headers, body: job.body });
        const text = await response.text();
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        if (response.status >= 300 || !(body.execution_id ?? body.id)) throw new Error(`answered ${response.status}: ${text}`);
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  });
  await Promise.all(lanes);
  return { startedAt, finishedAt: Date.now(), failed, ...(firstError ? { firstError } : {}) };
}

/** Runs `job` from a child process (node dist/bench/load-client.js) and answers its result. */
export async function submitFromChildProcess(job: LoadJob): Promise<LoadResult> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let last = '';
  for await (const line of lines) last = line;
  const code = await exited;
  if (code !== 0 || !last) throw new Error(`load-client.js exited (${code}) without a result`);
  return JSON.parse(last) as LoadResult;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(JSON.parse(process.argv[2] ?? '{}') as LoadJob).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}
