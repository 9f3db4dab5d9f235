// The V8 heap settings a server process runs with (issue 16: resident memory under load). Left to itself,
// V8 on a 64-bit machine grows the young generation to two 64 MB semi-spaces during the boot (128 MB of the
// ~230 MB resident right after it, and as much again under load): semi-spaces of 16 MB take ~40 MB off the
// boot and ~110-140 MB off the peak under bench throughput for ~5-10% more CPU (README, "Memory"). V8 reads the young
// generation's size only when the process starts, so `trellis start` and the bench restart themselves once
// with it in NODE_OPTIONS, ahead of the operator's own NODE_OPTIONS, whose flags win.
//
// What survives a full collection under load is ~60-90 MB (heap snapshots under bench throughput: ~77 MB,
// nearly all of it the program: source strings 29 MB, code 20 MB, arrays 10 MB; the executions in flight
// ~2 MB). The rest of the peak is garbage: with a heap limit past 2 GB, V8 lets the old generation reach 4x
// what survived before it collects again, and RSS keeps the high-water mark. The server lets it reach 1.75x
// (--heap-growing-percent=75), which V8 reads at every collection, so it is set in the running process. Bench
// throughput: peak 370-464 -> 281-282 MB (2x: 298-321), CPU per execution unchanged within the noise.
//
// Outside the V8 heap, glibc gives each thread that allocates (libuv's pool, V8's GC and compiler threads,
// sandbox workers) its own malloc arena, up to 8 per core, each keeping its freed memory; the restart caps them
// at 2 (MALLOC_ARENA_MAX, which glibc reads when the process starts; other C libraries ignore it) unless the
// operator set it. Measured under bench throughput and webhooks in role all: ~10 MB off the peak, CPU unchanged.
import { setFlagsFromString } from 'node:v8';

export const SERVER_NODE_OPTIONS = ['--max-semi-space-size=16'];
/** The old generation may grow by this much over what survived the last full collection before the next. */
export const SERVER_HEAP_GROWING_PERCENT = 75;
/** glibc's malloc arenas in the restarted process when the operator's environment does not say. */
export const SERVER_MALLOC_ARENA_MAX = '2';
/** Set in the restarted process; `off` keeps V8's and glibc's defaults. */
export const HEAP_SETTINGS_ENV = 'TRELLIS_HEAP_SETTINGS';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Replaces this process (same pid, same stdio and command line, through process.execve) with one that has
 * SERVER_NODE_OPTIONS and MALLOC_ARENA_MAX (unless set), then (in the restarted process, or at once where Node has
 * no process.execve: before Node 22.15; Windows) sets the old generation's growth. TRELLIS_HEAP_SETTINGS=off does
 * none of it.
 */
export function restartWithHeapSettings(): void {
  const state = process.env[HEAP_SETTINGS_ENV];
  if (state === 'off') return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (state || typeof execve !== 'function' || process.platform === 'win32') return limitOldGenerationGrowth();
  const nodeOptions = [...SERVER_NODE_OPTIONS, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    MALLOC_ARENA_MAX: SERVER_MALLOC_ARENA_MAX,
    ...process.env,
    NODE_OPTIONS: nodeOptions,
    [HEAP_SETTINGS_ENV]: 'applied',
  });
}

/** Sets SERVER_HEAP_GROWING_PERCENT unless the operator's command line names a growth of its own. */
function limitOldGenerationGrowth(): void {
  if (process.execArgv.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag))) return;
  setFlagsFromString(`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`);
}
