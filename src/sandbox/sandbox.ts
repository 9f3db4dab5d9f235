// The process's sandbox pools, one per (workers, memory) setting (in practice one), started on first use
// and stopped at shutdown. Callers say what to run, whom it is fair to, and its limits.
import { SandboxPool } from './sandbox-pool.js';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxJob, type SandboxOutcome, type SandboxRunOptions, type SandboxSettings } from './sandbox.types.js';

const pools = new Map<string, SandboxPool>();
/** Timeouts of pools already shut down, so that the process's count never goes back. */
let timeoutsOfClosedPools = 0;

/** The shared pool for these settings. */
export function sandboxPool(settings: Pick<SandboxSettings, 'workers' | 'memoryBytes'>): SandboxPool {
  const key = `${settings.workers}/${settings.memoryBytes}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new SandboxPool({ workers: settings.workers, memoryBytes: settings.memoryBytes });
    pools.set(key, pool);
  }
  return pool;
}

/** Runs `job` in a worker under the settings' limits (or the defaults). */
export function runInSandbox(job: SandboxJob, options: SandboxRunOptions, settings: SandboxSettings = DEFAULT_SANDBOX_SETTINGS): Promise<SandboxOutcome> {
  return sandboxPool(settings).run(job, {
    key: options.key,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? settings.timeoutMs,
    maxValueBytes: settings.maxValueBytes,
  });
}

/** Tasks waiting across the process's pools, and tasks stopped at their time limit since the process started. */
export function sandboxStats(): { queued: number; timeouts: number } {
  let queued = 0;
  for (const pool of pools.values()) queued += pool.stats().queued;
  return { queued, timeouts: timeoutsOfClosedPools + [...pools.values()].reduce((sum, pool) => sum + pool.stats().timeouts, 0) };
}

/** Stops every sandbox worker (shutdown, tests); later work starts new pools. */
export async function shutdownSandboxes(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  for (const pool of all) timeoutsOfClosedPools += pool.stats().timeouts;
  await Promise.all(all.map((pool) => pool.shutdown()));
}
