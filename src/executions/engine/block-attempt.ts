// One attempt of one block, in-process: the per-attempt timeout (NODE_TIMEOUT through the AbortSignal),
// prompt abort even when a block ignores its signal, yields on `error` as failures, and the value-size
// limit (VALUE_TOO_LARGE). Calling the block itself goes through an injected BlockAttemptFn, so the CLI, the
// test runner and the worker can add what they need (input validation, metering) around `run`.
import type { BlockContext, BlockDefinition, BlockYield } from '../../blocks/block.types.js';
import { describeUnstorable, findUnstorable, showPointer, unstorableText, type UnstorableValue } from '../../common/storable-json.js';
import { formatDuration } from '../../common/units.js';
import { EngineError, EngineErrorCode, toNodeError, type NodeError } from './engine.errors.js';
import type { NodeYield } from './engine.types.js';
import type { Timers } from './timers.js';

export interface BlockAttemptRequest {
  block: BlockDefinition;
  inputs: Record<string, unknown>;
  context: BlockContext;
}

/** Calls a block for one attempt and hands back its yields as they come. */
export type BlockAttemptFn = (request: BlockAttemptRequest) => AsyncIterable<BlockYield>;

/** The plain call: `block.run(inputs, context)`, nothing checked (the platform injects the checked one: blocks/validated-run.ts). */
export const callBlockRun: BlockAttemptFn = ({ block, inputs, context }) => block.run(inputs, context);

export type AttemptOutcome = { ok: true; yields: NodeYield[] } | { ok: false; error: NodeError };

export interface AttemptLimits {
  timeoutMs: number;
  maxValueBytes: number;
  /** `limits.max_json_depth`; DEFAULT_MAX_JSON_DEPTH when not given. */
  maxJsonDepth?: number;
  timers: Timers;
}

/** `limits.max_json_depth` by default (release-2.md section 8). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** The reason an attempt's controller is aborted with once the attempt is over (clears its timeout timer). */
export const ATTEMPT_OVER: unknown = Object.freeze({ attempt: 'over' });

/**
 * Runs one attempt. `controller` is the run's own: the caller aborts it to cancel (the block sees its
 * signal abort), the timeout here aborts it with NODE_TIMEOUT, and it is aborted with ATTEMPT_OVER once the
 * attempt ends. Streaming blocks pass `onYield`, called for each yield at once (nothing is collected).
 */
export async function executeAttempt(
  run: BlockAttemptFn,
  request: { block: BlockDefinition; inputs: Record<string, unknown>; context: Omit<BlockContext, 'signal'> },
  limits: AttemptLimits,
  controller: AbortController,
  onYield?: (pin: string, value: unknown) => void | Promise<void>,
): Promise<AttemptOutcome> {
  const signal = controller.signal;
  const nodeId = request.context.nodeId;
  limits.timers.sleep(limits.timeoutMs, signal).then(
    () =>
      controller.abort(
        new EngineError(
          EngineErrorCode.NODE_TIMEOUT,
          `Node "${nodeId}" (${request.block.id}) ran longer than its timeout of ${formatDuration(limits.timeoutMs)} and was stopped. Raise the node's \`timeout\` if it needs more time.`,
        ),
      ),
    () => undefined,
  );
  // One abort listener for the whole attempt: it rejects whichever `next()` is awaited.
  let rejectWaiting: ((reason: unknown) => void) | null = null;
  const onAbort = () => rejectWaiting?.(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let iterator: AsyncIterator<BlockYield> | undefined;
  let finished = false;
  try {
    if (signal.aborted) throw signal.reason;
    iterator = run({ block: request.block, inputs: request.inputs, context: { ...request.context, signal } })[Symbol.asyncIterator]();
    const yields: NodeYield[] = [];
    for (;;) {
      const pending = iterator.next();
      const next = await new Promise<IteratorResult<BlockYield>>((resolve, reject) => {
        rejectWaiting = reject;
        pending.then(resolve, reject);
      });
      rejectWaiting = null;
      if (signal.aborted) throw signal.reason;
      if (next.done) break;
      const [pin, raw] = next.value;
      const value = raw === undefined ? null : raw;
      if (pin === 'error') return { ok: false, error: toNodeError(value) };
      const problem = checkValue(nodeId, pin, value, limits.maxValueBytes, limits.maxJsonDepth);
      if (problem) return { ok: false, error: problem };
      // A durable shell may return a promise (backpressure): the block waits until earlier yields are written.
      if (onYield) await onYield(pin, value);
      else yields.push([pin, value]);
    }
    finished = true;
    return { ok: true, yields };
  } catch (error) {
    return { ok: false, error: toNodeError(signal.aborted ? signal.reason : error) };
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!signal.aborted) controller.abort(ATTEMPT_OVER);
    if (!finished && iterator?.return) {
      // Stop the generator; a block stuck in an await settles later, and its result is ignored.
      iterator.return(undefined).catch(() => undefined);
    }
  }
}

/**
 * A yielded value must be JSON the store can hold (VALUE_NOT_STORABLE: U+0000, an unpaired surrogate, or
 * nesting deeper than `maxJsonDepth`, with the pin and JSON Pointer named) and at most `maxValueBytes` long
 * once serialised (VALUE_TOO_LARGE). Both runners check every yield here, before anything is written.
 */
export function checkValue(nodeId: string, pin: string, value: unknown, maxValueBytes: number, maxJsonDepth = DEFAULT_MAX_JSON_DEPTH): NodeError | null {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return null;
  if (typeof value === 'string') {
    const reason = unstorableText(value);
    if (reason) return notStorable(nodeId, pin, { pointer: '', reason }, maxJsonDepth);
  } else {
    const found = findUnstorable(value, maxJsonDepth);
    // A cycle is not JSON at all: JSON.stringify below names it (NODE_FAILED).
    if (found && found.reason !== 'cycle') return notStorable(nodeId, pin, found, maxJsonDepth);
  }
  if (!Number.isFinite(maxValueBytes)) return null;
  // A UTF-16 unit is at most 6 bytes of JSON (`\u001f`): short strings need no measuring.
  if (typeof value === 'string' && value.length * 6 + 2 <= maxValueBytes) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    return {
      code: EngineErrorCode.NODE_FAILED,
      message: `Node "${nodeId}" yielded a value on pin "${pin}" that cannot be stored as JSON (${error instanceof Error ? error.message : String(error)}).`,
    };
  }
  const bytes = json === undefined ? 4 : Buffer.byteLength(json, 'utf8');
  if (bytes <= maxValueBytes) return null;
  return {
    code: EngineErrorCode.VALUE_TOO_LARGE,
    message: `Node "${nodeId}" yielded ${bytes} bytes on pin "${pin}", more than executor.max_value_bytes (${maxValueBytes} bytes). Yield a smaller value (pick the keys you need), or raise the limit in config.`,
  };
}

function notStorable(nodeId: string, pin: string, found: UnstorableValue, maxJsonDepth: number): NodeError {
  const where = found.pointer === '' ? 'the value itself' : `JSON path ${showPointer(found.pointer)}`;
  return {
    code: EngineErrorCode.VALUE_NOT_STORABLE,
    message: `Node "${nodeId}" yielded a value on pin "${pin}" that cannot be stored: ${where} ${describeUnstorable(found, maxJsonDepth)}.`,
  };
}
