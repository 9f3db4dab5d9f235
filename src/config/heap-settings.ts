// The V8 heap settings a server process runs with (issue 16: resident memory under load). Left to itself,
// V8 on a 64-bit machine grows the young generation to two 64 MB semi-spaces during the boot (128 MB of the
// ~230 MB resident right after it, and as much again under load): semi-spaces of 16 MB take ~40 MB off the
// boot and ~110-140 MB off the peak under bench throughput for ~5-10% more CPU (README, "Memory"). V8 reads the young
// generation's size only when the process starts, so `trellis start` and the bench restart themselves once
// with it in NODE_OPTIONS, ahead of the operator's own NODE_OPTIONS, whose flags win.
export const SERVER_NODE_OPTIONS = ['--max-semi-space-size=16'];
/** Set in the restarted process; `off` keeps V8's defaults. */
export const HEAP_SETTINGS_ENV = 'TRELLIS_HEAP_SETTINGS';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Replaces this process (same pid, same stdio and command line, through process.execve) with one that has
 * SERVER_NODE_OPTIONS; returns without doing anything when that is done already, when
 * TRELLIS_HEAP_SETTINGS=off, or where Node has no process.execve (before Node 22.15; Windows).
 */
export function restartWithHeapSettings(): void {
  if (process.env[HEAP_SETTINGS_ENV]) return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== 'function' || process.platform === 'win32') return;
  const nodeOptions = [...SERVER_NODE_OPTIONS, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    NODE_OPTIONS: nodeOptions,
    [HEAP_SETTINGS_ENV]: 'applied',
  });
}
