// code.js in a sandbox worker: one QuickJS WebAssembly module per worker, with its linear memory capped
// (the real memory limit: QuickJS's own accounting misses large allocations in this build); a fresh
// runtime and context per run; an interrupt handler for the time limit and for the abort flag the main
// thread sets in shared memory. If the host stack overflows inside WebAssembly (deeply nested code), the
// module's state is not trusted again: the next run builds a new one. It runs in the worker from its
// source text (see sandbox-worker.ts), so it stays self-contained: no imports, only what `require` gives.
import type { SandboxOutcome, SandboxTask, SandboxWorkerData } from './sandbox.types.js';

type JsTask = Extract<SandboxTask, { kind: 'js' }>;

/** Answers the runner of code.js tasks for this worker. */
export function quickjsRunner(workerData: SandboxWorkerData): (task: JsTask) => Promise<SandboxOutcome> {
  const quickjs = require(workerData.quickjsPath) as typeof import('quickjs-emscripten');
  const { memoryBytes, stackBytes } = workerData;
  const PAGE = 65536;
  // The module's static data and initial heap take 16 MiB; the code gets `memoryBytes` on top.
  const INITIAL_PAGES = 256;
  const MAX_LOG_LINES = 1000;
  const MAX_LOG_BYTES = 64 * 1024;
  const WRAPPER = `(function () {
    'use strict';
    const fn = globalThis.__trellis_fn, json = globalThis.__trellis_input;
    delete globalThis.__trellis_fn;
    delete globalThis.__trellis_input;
    const result = fn(JSON.parse(json));
    if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {
      throw new TypeError('code.js is synchronous: return a value, not a Promise (await is not available)');
    }
    const text = JSON.stringify(result);
    return text === undefined ? 'null' : text;
  })()`;

  type Module = Awaited<ReturnType<typeof quickjs.newQuickJSWASMModuleFromVariant>>;
  let modulePromise: Promise<Module> | null = null;
  const loadModule = (): Promise<Module> => {
    // (`WebAssembly` is not in the ES lib this project compiles against.)
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => unknown } }).WebAssembly;
    const memory = new wasm.Memory({ initial: INITIAL_PAGES, maximum: INITIAL_PAGES + Math.ceil(memoryBytes / PAGE) });
    return quickjs.newQuickJSWASMModuleFromVariant(quickjs.newVariant(quickjs.RELEASE_SYNC, { wasmMemory: memory as never }));
  };

  const runTask = (module: Module, task: JsTask): SandboxOutcome => {
    const stop = new Int32Array(task.stop);
    const logs: string[] = [];
    let logBytes = 0;
    let dropped = 0;
    let stoppedBy: 'timeout' | 'cancelled' | null = null;
    const deadline = Date.now() + task.timeoutMs;
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(memoryBytes);
    runtime.setMaxStackSize(stackBytes);
    runtime.setInterruptHandler(() => {
      if (Atomics.load(stop, 0) === 1) stoppedBy = 'cancelled';
      else if (Date.now() > deadline) stoppedBy = 'timeout';
      return stoppedBy !== null;
    });
    const context = runtime.newContext();
    const failure = (handle: { dispose(): void }): SandboxOutcome => {
      const dumped = context.dump(handle as never) as unknown;
      handle.dispose();
      const error = (dumped !== null && typeof dumped === 'object' ? dumped : { name: 'Error', message: String(dumped) }) as {
        name?: unknown;
        message?: unknown;
        stack?: unknown;
        lineNumber?: unknown;
      };
      const name = typeof error.name === 'string' ? error.name : 'Error';
      const message = typeof error.message === 'string' ? error.message : String(dumped);
      if (stoppedBy) return { id: task.id, kind: stoppedBy, message, logs };
      if (name === 'InternalError' && (message === 'out of memory' || message === 'stack overflow')) return { id: task.id, kind: 'memory', message, logs };
      // At the limit QuickJS may fail to build even its "out of memory" error and throw nothing (null): unless
      // the code throws values of its own, that is what happened.
      if ((dumped === null || dumped === undefined) && !/\bthrow\b/.test(task.code)) return { id: task.id, kind: 'memory', message: 'out of memory', logs };
      const where = typeof error.lineNumber === 'number' ? error.lineNumber : /code\.js:(\d+)/.exec(typeof error.stack === 'string' ? error.stack : '')?.[1];
      return { id: task.id, kind: 'error', name, message, line: where === undefined ? null : Number(where), logs };
    };
    let hostFailure = false;
    try {
      const log = context.newFunction('log', (...args) => {
        if (logs.length >= MAX_LOG_LINES || logBytes >= MAX_LOG_BYTES) {
          dropped++;
          return;
        }
        const line = args
          .map((arg) => {
            if (context.typeof(arg) === 'string') return context.getString(arg);
            const value = context.dump(arg) as unknown;
            return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
          })
          .join(' ')
          .slice(0, 10_000);
        logBytes += line.length;
        logs.push(line);
      });
      const consoleObject = context.newObject();
      for (const level of ['log', 'info', 'warn', 'error', 'debug']) context.setProp(consoleObject, level, log);
      context.setProp(context.global, 'console', consoleObject);
      consoleObject.dispose();
      log.dispose();

      const compiled = context.evalCode(`(function (input) {${task.code}\n})`, 'code.js', { type: 'global' });
      if (compiled.error) return failure(compiled.error);
      context.setProp(context.global, '__trellis_fn', compiled.value);
      compiled.value.dispose();
      const input = context.newString(task.inputJson);
      context.setProp(context.global, '__trellis_input', input);
      input.dispose();
      const result = context.evalCode(WRAPPER, 'trellis-wrapper.js', { type: 'global' });
      if (result.error) return failure(result.error);
      const json = context.getString(result.value);
      result.value.dispose();
      const bytes = Buffer.byteLength(json);
      if (bytes > task.maxValueBytes) return { id: task.id, kind: 'too_large', message: `the result is ${bytes} bytes of JSON`, bytes, logs };
      return { id: task.id, kind: 'ok', json, logs };
    } catch (error) {
      hostFailure = true;
      throw error;
    } finally {
      if (dropped)
        logs.push(`(${dropped} more log line${dropped === 1 ? '' : 's'} dropped: at most ${MAX_LOG_LINES} lines or ${MAX_LOG_BYTES} bytes are kept)`);
      // After a host failure the runtime's state is not trusted: the module is dropped whole instead.
      if (!hostFailure) {
        context.dispose();
        runtime.removeInterruptHandler();
        runtime.dispose();
      }
    }
  };

  return (task) => {
    modulePromise ??= loadModule();
    return modulePromise.then((module) => {
      try {
        return runTask(module, task);
      } catch (error) {
        // The host's stack ran out inside WebAssembly (or QuickJS aborted): start over with a new module.
        modulePromise = null;
        const message = error instanceof Error ? error.message : String(error);
        return /call stack/i.test(message)
          ? { id: task.id, kind: 'memory', message: 'stack overflow (the code nests too deeply)', logs: [] }
          : { id: task.id, kind: 'error', name: 'InternalError', message: `the sandbox failed: ${message}`, line: null, logs: [] };
      }
    });
  };
}
