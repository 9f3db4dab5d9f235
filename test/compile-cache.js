// Node's on-disk compile cache (NODE_COMPILE_CACHE, Node >= 22.1) for every process a test run starts: the
// jest workers' own modules, and above all the built server and CLI that the process tests start dozens of
// times (`node dist/src/main.js`, `bin/trellis.js`), each compiling the same JavaScript again: loading the
// app's module graph took 1.9 s of CPU, 1.35 s with the cache (measured on this machine). Entries are keyed by
// the file's content, so a rebuilt dist/ is compiled once more and checkouts may share the folder. Tests that
// start a child with an environment of their own (a clean PATH and HOME) leave it out, as they should.
// Plain JavaScript: jest.config.js and test/run.mjs load it.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function useCompileCache() {
  process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'trellis-test-compile-cache');
}
