// The V8 heap settings a server process runs with (issue 16: resident memory <= 300 MB under load). Left to
// itself, V8 on a 64-bit machine grows the young generation to two 64 MB semi-spaces during the boot (128 MB
// of the 246 MB resident right after it) and lets the old generation fill with garbage up to several times
// what is live before a full GC: ~570 MB resident under `npm run bench -- throughput`, with ~90 MB live.
// Semi-spaces of 16 MB and an old generation that grows by 50% between full GCs keep it near 275 MB for
// ~17% more CPU per execution (README, "Memory"). Both are set when the process starts
// (V8 reads the young generation's size only then), so `trellis start` and the bench restart themselves
// once with them, ahead of the operator's own flags, which win.
/** In NODE_OPTIONS, where the operator's own NODE_OPTIONS (after them) override them. */
export const SERVER_NODE_OPTIONS = ['--max-semi-space-size=16'];
/** On the command line (Node refuses this one in NODE_OPTIONS), before the process's own flags, which win. */
export const SERVER_V8_FLAGS = ['--heap-growing-percent=50'];
/** Set in the restarted process; `off` keeps V8's defaults. */
export const HEAP_SETTINGS_ENV = 'TRELLIS_HEAP_SETTINGS';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Replaces this process (same pid, same stdio, through process.execve) with one that runs the same command
 * with SERVER_NODE_OPTIONS and SERVER_V8_FLAGS; returns without doing anything when that is done already, when
 * TRELLIS_HEAP_SETTINGS=off, or where Node has no process.execve (Node 22, Windows).
 */
export function restartWithHeapSettings(): void {
  if (process.env[HEAP_SETTINGS_ENV]) return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== 'function' || process.platform === 'win32') return;
  const nodeOptions = [...SERVER_NODE_OPTIONS, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  execve.call(process, process.execPath, [process.execPath, ...SERVER_V8_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    NODE_OPTIONS: nodeOptions,
    [HEAP_SETTINGS_ENV]: 'applied',
  });
}
