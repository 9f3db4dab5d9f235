// The sandbox pool: `workers` worker threads that run user computation (JSONata, Liquid, code.js) off the
// event loop, one task at a time each. Waiting work is served round-robin across keys (graphs), so one
// agent's flood cannot hold every worker. Every task has a hard limit: a worker that does not answer by
// its deadline (plus a short grace for its own cooperative limit to answer first), or that runs out of
// heap, is terminated and replaced, the task fails with `timeout` / `memory`, and the queue goes on.
import { Worker } from 'node:worker_threads';
import { FairQueue } from './fair-queue.js';
import { sandboxWorkerData, sandboxWorkerSource } from './sandbox-worker.js';
import type { SandboxJob, SandboxOutcome, SandboxTask, SandboxWorkerData } from './sandbox.types.js';

/** Time past the deadline a worker's own limit gets to answer before the worker is terminated. */
const GRACE_MS = { js: 1_000, jsonata: 500, liquid: 500 } as const;

/** An outcome before it is tied to a task. */
type Ending = { kind: 'timeout' | 'memory'; message: string } | { kind: 'error'; name: string; message: string };

interface Pending {
  task: SandboxTask;
  key: string;
  signal: AbortSignal;
  settled: boolean;
  /** The worker running it, once one does. */
  worker?: PoolWorker;
  resolve(outcome: SandboxOutcome): void;
}

export interface PoolTaskOptions {
  key: string;
  signal: AbortSignal;
  timeoutMs: number;
  maxValueBytes: number;
}

export interface PoolStats {
  /** Live workers. */
  workers: number;
  busy: number;
  queued: number;
  /** Workers started since the pool was made (replacements included). */
  started: number;
  /** Tasks stopped at their time limit since the pool was made. */
  timeouts: number;
}

class PoolWorker {
  private readonly worker: Worker;
  current: Pending | null = null;
  dead = false;
  /** Not ready yet (loading its libraries). */
  fresh = true;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    source: string,
    data: SandboxWorkerData,
    private readonly events: { idle(worker: PoolWorker): void; died(worker: PoolWorker): void },
  ) {
    this.worker = new Worker(source, {
      eval: true,
      workerData: data,
      // The heap limit is the memory limit of JSONata and Liquid; code.js's is its QuickJS memory.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(16, Math.ceil(data.memoryBytes / 1024 / 1024)), stackSizeMb: 8 },
    });
    this.worker.unref();
    // The first message says the worker has loaded its libraries: deadlines count from then on.
    this.worker.once('message', () => {
      this.worker.on('message', (outcome: SandboxOutcome) => this.answered(outcome));
      this.events.idle(this);
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.end(
        memory
          ? { kind: 'memory', message: 'it used more memory than the sandbox allows' }
          : { kind: 'error', name: 'InternalError', message: `the sandbox worker failed: ${error.message}` },
      );
    });
    this.worker.on('exit', () => this.end({ kind: 'error', name: 'InternalError', message: 'the sandbox worker stopped' }));
  }

  start(pending: Pending): void {
    this.current = pending;
    this.worker.ref();
    const { task } = pending;
    this.watchdog = setTimeout(
      () => this.end({ kind: 'timeout', message: `it ran past its time limit of ${task.timeoutMs} ms` }),
      task.timeoutMs + GRACE_MS[task.kind],
    );
    this.worker.postMessage(task);
  }

  /** The run was stopped: its caller is answered now; code.js is asked to stop, others end by their limit. */
  abandon(): void {
    if (!this.current) return;
    if (this.current.task.kind === 'js') Atomics.store(new Int32Array(this.current.task.stop), 0, 1);
    settle(this.current, { id: this.current.task.id, kind: 'cancelled', message: 'stopped' });
  }

  private answered(outcome: SandboxOutcome): void {
    const current = this.current;
    if (!current || current.task.id !== outcome.id) return;
    clearTimeout(this.watchdog);
    this.current = null;
    this.worker.unref();
    settle(current, outcome);
    this.events.idle(this);
  }

  /** Fails the task in flight with `outcome`, and terminates the worker. */
  private end(outcome: Ending): void {
    clearTimeout(this.watchdog);
    const current = this.current;
    this.current = null;
    if (current) settle(current, { ...outcome, id: current.task.id });
    this.terminate();
  }

  terminate(): void {
    if (this.dead) return;
    this.dead = true;
    void this.worker.terminate().catch(() => undefined);
    this.events.died(this);
  }
}

function settle(pending: Pending, outcome: SandboxOutcome): void {
  if (pending.settled) return;
  pending.settled = true;
  pending.resolve(outcome);
}

export class SandboxPool {
  private readonly queue = new FairQueue<Pending>();
  private readonly live = new Set<PoolWorker>();
  private readonly idle: PoolWorker[] = [];
  /** Workers started and not yet ready. */
  private starting = 0;
  private readonly source = sandboxWorkerSource();
  private readonly data: SandboxWorkerData;
  private nextId = 1;
  private started = 0;
  private timeouts = 0;
  private closed = false;

  constructor(private readonly options: { workers: number; memoryBytes: number }) {
    this.data = sandboxWorkerData(options.memoryBytes);
  }

  run(job: SandboxJob, options: PoolTaskOptions): Promise<SandboxOutcome> {
    return new Promise((resolve) => {
      const task = {
        ...job,
        id: this.nextId++,
        timeoutMs: options.timeoutMs,
        maxValueBytes: options.maxValueBytes,
        stop: new SharedArrayBuffer(4),
      } as SandboxTask;
      const { signal, key } = options;
      const onAbort = () => {
        if (this.queue.remove(key, pending)) settle(pending, { id: task.id, kind: 'cancelled', message: 'stopped before it started' });
        else if (pending.worker?.current === pending) pending.worker.abandon();
      };
      const pending: Pending = {
        task,
        key,
        signal,
        settled: false,
        resolve: (outcome) => {
          if (outcome.kind === 'timeout') this.timeouts++;
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      if (signal.aborted || this.closed) return settle(pending, { id: task.id, kind: 'cancelled', message: 'stopped before it started' });
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(key, pending);
      this.dispatch();
    });
  }

  stats(): PoolStats {
    return {
      workers: this.live.size,
      busy: [...this.live].filter((w) => w.current).length,
      queued: this.queue.size,
      started: this.started,
      timeouts: this.timeouts,
    };
  }

  /** Stops every worker; waiting and later work is answered `cancelled`. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (let pending = this.queue.shift(); pending; pending = this.queue.shift())
      settle(pending, { id: pending.task.id, kind: 'cancelled', message: 'the sandbox was shut down' });
    for (const worker of [...this.live]) worker.terminate();
    this.idle.length = 0;
  }

  private dispatch(): void {
    while (this.queue.size) {
      const worker = this.idle.pop();
      if (!worker) break;
      const pending = this.queue.shift()!;
      pending.worker = worker;
      worker.start(pending);
    }
    // Start workers (up to the pool's size) for the work no ready or starting worker will take.
    while (!this.closed && this.queue.size > this.starting && this.live.size < this.options.workers) this.spawn();
  }

  private spawn(): PoolWorker {
    this.started++;
    this.starting++;
    const worker = new PoolWorker(this.source, this.data, {
      idle: (ready) => {
        if (ready.fresh) {
          ready.fresh = false;
          this.starting--;
        }
        this.idle.push(ready);
        this.dispatch();
      },
      died: (gone) => {
        if (gone.fresh) {
          // It died before it was ready: fail one waiting task, so that a worker that cannot start is not started forever.
          this.starting--;
          gone.fresh = false;
          const pending = this.queue.shift();
          if (pending) settle(pending, { id: pending.task.id, kind: 'error', name: 'InternalError', message: 'the sandbox worker could not start' });
        }
        this.live.delete(gone);
        const index = this.idle.indexOf(gone);
        if (index >= 0) this.idle.splice(index, 1);
        // A replacement starts at once when work is waiting.
        queueMicrotask(() => this.dispatch());
      },
    });
    this.live.add(worker);
    return worker;
  }
}
