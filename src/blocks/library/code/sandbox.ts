// The code.js sandbox, main-thread side: a small pool of worker threads, each holding one QuickJS
// WebAssembly module (loaded once) and running one task at a time. Workers keep the event loop free
// while code runs, let an abort interrupt running code (a flag in shared memory the interrupt handler
// reads), and contain any failure: a worker that does not answer in time is terminated and replaced.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sandboxWorkerMain, type SandboxOutcome, type SandboxTask, type SandboxWorkerData } from './sandbox-worker.js';

export type { SandboxOutcome };

export const SANDBOX_MEMORY_BYTES = 32 * 1024 * 1024;
const STACK_BYTES = 256 * 1024;
/** Time a worker gets past the deadline (or after a stop) to answer before it is terminated. */
const GRACE_MS = 1_000;
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism() - 1));

export interface SandboxRequest {
  code: string;
  input: unknown;
  timeoutMs: number;
}

interface Pending {
  task: SandboxTask;
  signal: AbortSignal;
  resolve(outcome: SandboxOutcome): void;
}

class SandboxWorker {
  private readonly worker: Worker;
  current: (Pending & { watchdog?: NodeJS.Timeout; onAbort?: () => void }) | null = null;
  dead = false;

  constructor(
    data: SandboxWorkerData,
    private readonly onIdle: (worker: SandboxWorker) => void,
  ) {
    this.worker = new Worker(`(${sandboxWorkerMain.toString()})()`, {
      eval: true,
      workerData: data,
      // Ample host stack for nested code; a small JS heap (the code's memory is WebAssembly memory).
      resourceLimits: { stackSizeMb: 8, maxOldGenerationSizeMb: 128 },
    });
    this.worker.unref();
    this.worker.on('message', (outcome: SandboxOutcome) => this.finish(outcome));
    this.worker.on('error', (error) => this.fail(`the sandbox worker failed: ${error.message}`));
    this.worker.on('exit', () => this.fail('the sandbox worker stopped'));
  }

  start(pending: Pending): void {
    this.current = pending;
    this.worker.ref();
    const stopFlag = new Int32Array(pending.task.stop);
    const kill = (kind: 'timeout' | 'cancelled', message: string) => {
      this.settle({ id: pending.task.id, kind, message, logs: [] });
      this.terminate();
    };
    const armWatchdog = (ms: number, kind: 'timeout' | 'cancelled', message: string) => {
      clearTimeout(this.current?.watchdog);
      if (this.current) this.current.watchdog = setTimeout(() => kill(kind, message), ms);
    };
    this.current.onAbort = () => {
      Atomics.store(stopFlag, 0, 1);
      armWatchdog(GRACE_MS, 'cancelled', 'stopped');
    };
    if (pending.signal.aborted) this.current.onAbort();
    else pending.signal.addEventListener('abort', this.current.onAbort, { once: true });
    armWatchdog(pending.task.timeoutMs + GRACE_MS, 'timeout', 'interrupted');
    this.worker.postMessage(pending.task);
  }

  private finish(outcome: SandboxOutcome): void {
    if (!this.current || this.current.task.id !== outcome.id) return;
    this.settle(outcome);
    if (!this.dead) this.onIdle(this);
  }

  private settle(outcome: SandboxOutcome): void {
    const current = this.current;
    if (!current) return;
    this.current = null;
    clearTimeout(current.watchdog);
    if (current.onAbort) current.signal.removeEventListener('abort', current.onAbort);
    if (!this.dead) this.worker.unref();
    current.resolve(outcome);
  }

  private fail(message: string): void {
    if (this.current) this.settle({ id: this.current.task.id, kind: 'error', name: 'InternalError', message, line: null, logs: [] });
    this.terminate();
  }

  terminate(): void {
    if (this.dead) return;
    this.dead = true;
    void this.worker.terminate().catch(() => undefined);
  }
}

class SandboxPool {
  private readonly idle: SandboxWorker[] = [];
  private readonly all = new Set<SandboxWorker>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private data: SandboxWorkerData | null = null;

  run(request: SandboxRequest, signal: AbortSignal): Promise<SandboxOutcome> {
    return new Promise((resolve) => {
      const task: SandboxTask = {
        id: this.nextId++,
        code: request.code,
        inputJson: JSON.stringify(request.input ?? null),
        timeoutMs: request.timeoutMs,
        stop: new SharedArrayBuffer(4),
      };
      const pending: Pending = { task, signal, resolve };
      // Stopped while waiting for a worker: leave the queue at once.
      const onAbort = () => {
        const index = this.queue.indexOf(pending);
        if (index < 0) return;
        this.queue.splice(index, 1);
        resolve({ id: task.id, kind: 'cancelled', message: 'stopped before it started', logs: [] });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.resolve = (outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      this.queue.push(pending);
      this.dispatch();
    });
  }

  private dispatch(): void {
    this.prune();
    while (this.queue.length) {
      const worker = this.idle.pop() ?? (this.all.size < POOL_SIZE ? this.spawn() : undefined);
      if (!worker) return;
      const pending = this.queue.shift()!;
      if (pending.signal.aborted) {
        pending.resolve({ id: pending.task.id, kind: 'cancelled', message: 'stopped before it started', logs: [] });
        this.idle.push(worker);
        continue;
      }
      worker.start(pending);
    }
  }

  private spawn(): SandboxWorker {
    this.data ??= {
      quickjsPath: createRequire(import.meta.url).resolve('quickjs-emscripten'),
      memoryBytes: SANDBOX_MEMORY_BYTES,
      stackBytes: STACK_BYTES,
    };
    const worker = new SandboxWorker(this.data, (ready) => {
      this.idle.push(ready);
      this.dispatch();
    });
    this.all.add(worker);
    return worker;
  }

  /** Forgets terminated workers so that new ones replace them. */
  private prune(): void {
    for (const worker of this.all) {
      if (worker.dead && !worker.current) this.all.delete(worker);
    }
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i]!.dead) this.idle.splice(i, 1);
  }

  async shutdown(): Promise<void> {
    for (const worker of this.all) worker.terminate();
    this.all.clear();
    this.idle.length = 0;
  }

  /** Replaces dead workers even when no task arrives (after a kill, the queue may be waiting). */
  kick(): void {
    this.dispatch();
  }
}

const pool = new SandboxPool();

/** Runs `code` as the body of `function (input) { ... }` in a fresh QuickJS context. */
export async function runInSandbox(request: SandboxRequest, signal: AbortSignal): Promise<SandboxOutcome> {
  const outcome = await pool.run(request, signal);
  pool.kick();
  return outcome;
}

/** Stops every sandbox worker (tests, shutdown); later runs start new ones. */
export function shutdownSandbox(): Promise<void> {
  return pool.shutdown();
}
