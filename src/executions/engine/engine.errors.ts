// Error codes of executions and node executions (runtime.md "Error codes"). The engine speaks only these
// codes; a block's own failure becomes NODE_FAILED with the block's message.
import { AppError } from '../../common/errors.js';
import { storableText } from '../../common/storable-json.js';
import { formatDuration } from '../../common/units.js';

export const EngineErrorCode = {
  /** A block threw, yielded on `error`, or could not run with its inputs. */
  NODE_FAILED: 'NODE_FAILED',
  /** One attempt ran past the node's `timeout` and was aborted. */
  NODE_TIMEOUT: 'NODE_TIMEOUT',
  /** The execution ran past its `timeout`. */
  EXECUTION_TIMEOUT: 'EXECUTION_TIMEOUT',
  /** The execution started more node executions than `executor.max_node_executions` allows. */
  NODE_LIMIT: 'NODE_LIMIT',
  /** `agent.run` nested deeper than `executor.max_depth`. */
  DEPTH_LIMIT: 'DEPTH_LIMIT',
  /** A yielded value is larger than `executor.max_value_bytes`. */
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
  /** A yielded value holds what the store cannot (U+0000, an unpaired surrogate) or nests deeper than `limits.max_json_depth`. */
  VALUE_NOT_STORABLE: 'VALUE_NOT_STORABLE',
  /** An `http_response` output value cannot be sent as an HTTP answer (status, forbidden or malformed headers). */
  HTTP_RESPONSE_INVALID: 'HTTP_RESPONSE_INVALID',
  /** The database refused a step of the execution (not a lost connection): the node cannot be recorded. */
  STORE_FAILED: 'STORE_FAILED',
  /** A node was re-run after lease lapses more than `executor.max_resumes` times. */
  WORKER_LOST: 'WORKER_LOST',
  /** A link picks a key (`a.out.k1`) that the value does not have. */
  LINK_KEY_MISSING: 'LINK_KEY_MISSING',
  /** A `${{ }}` expression of a node's constants failed or gave no value (routable; the message names the path). */
  EXPRESSION_FAILED: 'EXPRESSION_FAILED',
  /** A required graph input had no value and no default. */
  MISSING_INPUT: 'MISSING_INPUT',
  /** The child execution of `agent.run` failed or was cancelled. */
  CHILD_FAILED: 'CHILD_FAILED',
  INSUFFICIENT_CREDITS: 'INSUFFICIENT_CREDITS',
  CREDENTIAL_UNRESOLVED: 'CREDENTIAL_UNRESOLVED',
  CANCELLED: 'CANCELLED',
  /** A human.review timed out with `on_timeout: fail` (routable). */
  REVIEW_TIMEOUT: 'REVIEW_TIMEOUT',
  /** A human.review would exceed `reviews.max_pending_per_agent` pending reviews (routable). */
  REVIEW_LIMIT: 'REVIEW_LIMIT',
  /** A wait.event timed out with `on_timeout: fail` (routable). */
  EVENT_TIMEOUT: 'EVENT_TIMEOUT',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

const ENGINE_CODES: ReadonlySet<string> = new Set(Object.values(EngineErrorCode));

/**
 * Failures of the platform's own limits: never retried, never routed to an `error` pin; they fail the
 * execution at once (runtime.md "Errors").
 */
export const PLATFORM_FAILURE_CODES: ReadonlySet<string> = new Set<EngineErrorCode>([
  EngineErrorCode.EXECUTION_TIMEOUT,
  EngineErrorCode.NODE_LIMIT,
  EngineErrorCode.DEPTH_LIMIT,
  EngineErrorCode.MISSING_INPUT,
  EngineErrorCode.INSUFFICIENT_CREDITS,
  EngineErrorCode.CREDENTIAL_UNRESOLVED,
  EngineErrorCode.CANCELLED,
  EngineErrorCode.STORE_FAILED,
  EngineErrorCode.WORKER_LOST,
]);

/** Node failures that a retry cannot fix: the inputs themselves are wrong. */
const NOT_RETRIED: ReadonlySet<string> = new Set<EngineErrorCode>([
  EngineErrorCode.LINK_KEY_MISSING,
  EngineErrorCode.VALUE_NOT_STORABLE,
  EngineErrorCode.HTTP_RESPONSE_INVALID,
  EngineErrorCode.EXPRESSION_FAILED,
]);

export function isPlatformFailure(code: string): boolean {
  return PLATFORM_FAILURE_CODES.has(code);
}

export function isRetriable(code: string): boolean {
  return !PLATFORM_FAILURE_CODES.has(code) && !NOT_RETRIED.has(code);
}

/** `{code, message}` as it travels along an `error` link and is stored on a node execution. */
export interface NodeError {
  code: string;
  message: string;
}

/** `{code, message, node_id}` of a failed execution. */
export interface ExecutionError extends NodeError {
  node_id: string | null;
}

/** An engine failure thrown inside a block attempt (timeouts, limits, cancellation, child failures). */
export class EngineError extends AppError {
  constructor(code: EngineErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details, 500);
    this.name = 'EngineError';
  }
}

/**
 * What a thrown value means for a node: engine codes keep their code, anything else a block throws is
 * NODE_FAILED with the block's own message (its code, if it had one, leads the message).
 */
/** EXECUTION_TIMEOUT of an execution that ran past `timeoutMs` (both runners fail it with this). */
export function executionTimeout(timeoutMs: number): NodeError {
  return {
    code: EngineErrorCode.EXECUTION_TIMEOUT,
    message: `The execution ran longer than its timeout of ${formatDuration(timeoutMs)} and was stopped. Raise the agent's \`timeout\` if it needs more time.`,
  };
}

export function toNodeError(error: unknown): NodeError {
  const found = nodeErrorOf(error);
  // A message may quote what the block saw (an answer's body): it must still be storable.
  return { code: found.code, message: storableText(found.message) };
}

function nodeErrorOf(error: unknown): NodeError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && ENGINE_CODES.has(code)) return { code, message: error.message };
    const prefix = typeof code === 'string' && code !== '' ? `${code}: ` : '';
    return { code: EngineErrorCode.NODE_FAILED, message: `${prefix}${error.message || error.name}` };
  }
  if (isNodeErrorLike(error)) {
    return ENGINE_CODES.has(error.code)
      ? { code: error.code, message: error.message }
      : { code: EngineErrorCode.NODE_FAILED, message: `${error.code}: ${error.message}` };
  }
  return { code: EngineErrorCode.NODE_FAILED, message: typeof error === 'string' ? error : `the block failed with ${describeValue(error)}` };
}

function isNodeErrorLike(value: unknown): value is NodeError {
  return typeof value === 'object' && value !== null && typeof (value as NodeError).code === 'string' && typeof (value as NodeError).message === 'string';
}

/** A short description of a value for error messages (never the whole value: it may be large or secret). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}`;
  }
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `${typeof value} ${String(value)}`;
}
