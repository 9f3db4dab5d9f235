// The vocabulary of the sandbox: what runs in a worker thread (a JSONata expression, a Liquid template,
// code.js) and what comes back. Results travel as JSON text, already checked against the value limit in
// the worker, so an oversized answer never reaches the main thread.

/** Limits of the pool (config `sandbox.*` and `executor.max_value_bytes`). */
export interface SandboxSettings {
  workers: number;
  /** Hard limit of one JSONata or Liquid evaluation (code.js brings its own). */
  timeoutMs: number;
  /** Worker heap limit, and the QuickJS memory limit of code.js. */
  memoryBytes: number;
  /** Largest result, as UTF-8 JSON. */
  maxValueBytes: number;
}

export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = { workers: 2, timeoutMs: 1_000, memoryBytes: 64 * 1024 * 1024, maxValueBytes: 1024 * 1024 };

export type SandboxJob =
  | { kind: 'jsonata'; expression: string; data: unknown }
  | { kind: 'liquid'; template: string; values: Record<string, unknown> }
  | { kind: 'js'; code: string; inputJson: string };

/** A job as the worker receives it. */
export type SandboxTask = SandboxJob & {
  id: number;
  timeoutMs: number;
  maxValueBytes: number;
  /** Int32 flag: 1 asks a code.js run to stop (its interrupt handler reads it). */
  stop: SharedArrayBuffer;
};

export type SandboxOutcome =
  /** `json`: the result as JSON text (`null` for nothing). */
  | { id: number; kind: 'ok'; json: string; logs?: string[] }
  /** The expression, template or code failed by itself (`code`: JSONata's error code; `variable`: Liquid's missing one). */
  | { id: number; kind: 'error'; name: string; message: string; line?: number | null; code?: string; position?: number; variable?: string; logs?: string[] }
  /** `too_large`: the result is bigger than maxValueBytes (`bytes` says how big). */
  | { id: number; kind: 'too_large'; message: string; bytes: number; logs?: string[] }
  | { id: number; kind: 'timeout' | 'memory' | 'cancelled'; message: string; logs?: string[] };

export interface SandboxWorkerData {
  jsonataPath: string;
  liquidPath: string;
  quickjsPath: string;
  memoryBytes: number;
  stackBytes: number;
}

/** How one evaluation is queued: who it is fair to (a graph, else a user), and its own limits. */
export interface SandboxRunOptions {
  /** Work is served round-robin across keys (`graph:<id>`, `user:<id>`). */
  key: string;
  signal: AbortSignal;
  /** Overrides the pool's timeout (code.js's own). */
  timeoutMs?: number;
}
