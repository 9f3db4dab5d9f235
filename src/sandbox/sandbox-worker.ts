// The program of a sandbox worker thread: it answers one task at a time, handing it to the runner of its
// kind (each loaded on first use). Workers are started from source text (`eval: true`) so that the same
// code runs under the TypeScript build and under the test runner, which cannot load .ts files into a
// worker; the runners are therefore self-contained functions, joined here into one program.
import { createRequire } from 'node:module';
import { jsonataRunner, liquidRunner } from './expression-runners.js';
import { quickjsRunner } from './quickjs-runner.js';
import type { SandboxOutcome, SandboxTask, SandboxWorkerData } from './sandbox.types.js';

type Runner = (task: SandboxTask) => Promise<SandboxOutcome>;
type RunnerFactories = Record<SandboxTask['kind'], (data: SandboxWorkerData) => Runner>;

function sandboxWorkerMain(factories: RunnerFactories): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  // Libraries load before the worker says it is ready (QuickJS's module loads on the first code.js run).
  const runners = new Map<string, Runner>();
  for (const [kind, factory] of Object.entries(factories)) runners.set(kind, factory(workerData as SandboxWorkerData));
  parentPort!.on('message', (task: SandboxTask) => {
    runners.get(task.kind)!(task).then(
      (outcome) => parentPort!.postMessage(outcome),
      (error: unknown) =>
        parentPort!.postMessage({
          id: task.id,
          kind: 'error',
          name: 'InternalError',
          message: `the sandbox failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
    );
  });
  parentPort!.postMessage({ ready: true });
}

/** The worker's program as source text. */
export function sandboxWorkerSource(): string {
  return `(${sandboxWorkerMain.toString()})({ jsonata: ${jsonataRunner.toString()}, liquid: ${liquidRunner.toString()}, js: ${quickjsRunner.toString()} });`;
}

/** What every worker is started with: where its libraries are, and its limits. */
export function sandboxWorkerData(memoryBytes: number): SandboxWorkerData {
  const require = createRequire(import.meta.url);
  return {
    jsonataPath: require.resolve('jsonata'),
    liquidPath: require.resolve('liquidjs'),
    quickjsPath: require.resolve('quickjs-emscripten'),
    memoryBytes,
    stackBytes: 256 * 1024,
  };
}
