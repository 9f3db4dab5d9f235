// The server's resident-memory peak over a measured stretch (issue 16: <= 300 MB under each load). The bench
// runs the server in this process and its load generators in child processes (bench/load-client.ts, the
// autocannon CLI), so this process's peak is the server's, and one server per process (bench/isolate.ts). On
// Linux the kernel keeps the peak (VmHWM), and writing 5 to /proc/self/clear_refs restarts it at the current
// resident set, so the figure covers the stretch, not the boot; elsewhere a 100 ms sampler of
// process.memoryUsage().rss stands in.
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function kernelPeakMb(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Starts watching; `stop()` answers the peak resident set since then, in MB. */
export function watchPeakRss(): { stop(): number } {
  let reset = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    reset = kernelPeakMb() !== null;
  } catch {
    // no /proc (or not writable): sample instead
  }
  let sampled = process.memoryUsage().rss;
  const sampler = reset ? null : setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 100);
  return {
    stop() {
      if (sampler) clearInterval(sampler);
      const peak = reset ? kernelPeakMb() : null;
      return Math.round(peak ?? Math.max(sampled, process.memoryUsage().rss) / 2 ** 20);
    },
  };
}

/** A full collection now, so that the measured stretch starts from what the boot left alive, not its garbage. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
