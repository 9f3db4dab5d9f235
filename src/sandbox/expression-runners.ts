// JSONata expressions and Liquid templates in a sandbox worker. Each keeps its own cooperative limits (so
// a slow evaluation usually ends with a clean error and the worker lives on); the main thread's hard limit
// terminates the worker when one does not. Compiled expressions and parsed templates are cached by text.
// They run in the worker from their source text (see sandbox-worker.ts), so they stay self-contained: no
// imports, no outside names, only what `require` gives.
import type { SandboxOutcome, SandboxTask, SandboxWorkerData } from './sandbox.types.js';

type JsonataTask = Extract<SandboxTask, { kind: 'jsonata' }>;
type LiquidTask = Extract<SandboxTask, { kind: 'liquid' }>;

/** JSON text of a result, or the too_large outcome. */
type Encoded = { json: string } | SandboxOutcome;

export function jsonataRunner(workerData: SandboxWorkerData): (task: JsonataTask) => Promise<SandboxOutcome> {
  const jsonata = require(workerData.jsonataPath) as typeof import('jsonata');
  type Expression = ReturnType<typeof jsonata>;
  interface Failure {
    code?: string;
    position?: number;
    message?: string;
  }
  const compiled = new Map<string, Expression>();
  const LIMIT = 500;
  // Worker heap limits stop gradual growth; one huge allocation can instead abort the whole process
  // (nodejs/node#47224), so the ways to ask for one in a single step are capped here: sequences and
  // ranges (JSONata's own option) and $pad's width.
  const MAX_SEQUENCE = 1_000_000;
  let pad: ((...args: unknown[]) => unknown) | undefined;
  const guardedPad = (maxBytes: number) => (text: unknown, width: unknown, char: unknown) => {
    // Its result could not be yielded anyway: answered as the too_large outcome it would have been.
    if (typeof width === 'number' && Math.abs(width) > maxBytes) throw { code: 'TOO_LARGE', bytes: Math.abs(width) + 2 };
    return pad!(text, width, char);
  };
  // JSONata marks its arrays with extra properties and answers functions as objects; JSON is what travels.
  const isFunction = (value: unknown): boolean => {
    if (typeof value === 'function') return true;
    const marked = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown } | null;
    return typeof marked === 'object' && marked !== null && (marked._jsonata_function === true || marked._jsonata_lambda === true);
  };
  const encode = (id: number, result: unknown, maxBytes: number): Encoded => {
    const json = JSON.stringify(result, (_key, value: unknown) => (isFunction(value) ? undefined : value)) ?? 'null';
    const bytes = Buffer.byteLength(json);
    return bytes > maxBytes ? { id, kind: 'too_large', message: `the result is ${bytes} bytes of JSON`, bytes } : { json };
  };
  const failed = (id: number, error: unknown): SandboxOutcome => {
    const failure = error as Failure;
    if (failure.code === 'D1012') return { id, kind: 'timeout', message: 'the expression ran past its time limit' };
    if (failure.code === 'TOO_LARGE') return { id, kind: 'too_large', message: 'the result would be too large', bytes: (error as { bytes: number }).bytes };
    const code = failure.code;
    return {
      id,
      kind: 'error',
      name: 'JsonataError',
      message: String(failure.message ?? error),
      ...(code ? { code } : {}),
      ...(failure.position !== undefined ? { position: failure.position } : {}),
    };
  };

  return async (task) => {
    const key = `${task.timeoutMs}/${task.maxValueBytes}/${task.expression}`;
    let expression = compiled.get(key);
    try {
      if (!expression) {
        pad ??= ((await jsonata('$pad').evaluate({})) as { implementation: (...args: unknown[]) => unknown }).implementation;
        expression = jsonata(task.expression, { timeout: task.timeoutMs, stack: 500, sequence: MAX_SEQUENCE } as never);
        expression.registerFunction('pad', guardedPad(task.maxValueBytes), '<s-ns?:s>');
        if (compiled.size >= LIMIT) compiled.delete(compiled.keys().next().value!);
        compiled.set(key, expression);
      }
      const encoded = encode(task.id, await expression.evaluate(task.data), task.maxValueBytes);
      return 'json' in encoded ? { id: task.id, kind: 'ok', json: encoded.json } : encoded;
    } catch (error) {
      return failed(task.id, error);
    }
  };
}

export function liquidRunner(workerData: SandboxWorkerData): (task: LiquidTask) => Promise<SandboxOutcome> {
  const { Liquid } = require(workerData.liquidPath) as typeof import('liquidjs');
  type Template = ReturnType<InstanceType<typeof Liquid>['parse']>;
  const engines = new Map<number, InstanceType<typeof Liquid>>();
  const parsed = new Map<string, Template>();
  const LIMIT = 500;
  const engine = (timeoutMs: number) => {
    let liquid = engines.get(timeoutMs);
    if (!liquid) {
      liquid = new Liquid({
        strictVariables: true,
        strictFilters: true,
        lenientIf: true,
        ownPropertyOnly: true,
        // An in-memory (empty) template map: {% include %} and {% render %} never reach the file system.
        templates: {},
        parseLimit: 1_000_000,
        renderLimit: timeoutMs,
        memoryLimit: workerData.memoryBytes,
        // Objects and lists print as JSON rather than "[object Object]".
        outputEscape: (value: unknown) =>
          value !== null && typeof value === 'object' ? JSON.stringify(value) : value === null || value === undefined ? '' : String(value),
      });
      engines.set(timeoutMs, liquid);
    }
    return liquid;
  };

  return async (task) => {
    const liquid = engine(task.timeoutMs);
    const key = `${task.timeoutMs}/${task.template}`;
    try {
      let templates = parsed.get(key);
      if (!templates) {
        templates = liquid.parse(task.template);
        if (parsed.size >= LIMIT) parsed.delete(parsed.keys().next().value!);
        parsed.set(key, templates);
      }
      const text = String(await liquid.render(templates, task.values));
      const json = JSON.stringify(text);
      const bytes = Buffer.byteLength(json);
      if (bytes > task.maxValueBytes) return { id: task.id, kind: 'too_large', message: `the rendered text is ${bytes} bytes of JSON`, bytes };
      return { id: task.id, kind: 'ok', json };
    } catch (error) {
      const message = (error as Error).message;
      if (/render limit exceeded/.test(message)) return { id: task.id, kind: 'timeout', message: 'the template ran past its time limit' };
      if (/memory limit exceeded/.test(message)) return { id: task.id, kind: 'memory', message: 'the template used more memory than allowed' };
      const variable = (error as { originalError?: { variableName?: string } }).originalError?.variableName;
      return { id: task.id, kind: 'error', name: (error as Error).name, message, ...(variable ? { variable } : {}) };
    }
  };
}
