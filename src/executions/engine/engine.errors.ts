// Error codes of executions and node executions (runtime.md "Error codes"). A block's own failure keeps the
// block's code and details (release-2.md section 2); NODE_FAILED only when the block gives no code.
import { AppError } from '../../common/errors.js';
import { findUnstorable, storableText } from '../../common/storable-json.js';
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

/** `{code, message, details?}` as it travels along an `error` link and is stored on a node execution. */
export interface NodeError {
  code: string;
  message: string;
  /** What the block said beside its message (for example `{status}`), when it said anything. */
  details?: Record<string, unknown>;
  /** Set when the block marked the failure transient or permanent; else `isTransient` (retry.ts) decides. */
  transient?: boolean;
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

/** EXECUTION_TIMEOUT of an execution that ran past `timeoutMs` (both runners fail it with this). */
export function executionTimeout(timeoutMs: number): NodeError {
  return {
    code: EngineErrorCode.EXECUTION_TIMEOUT,
    message: `The execution ran longer than its timeout of ${formatDuration(timeoutMs)} and was stopped. Raise the agent's \`timeout\` if it needs more time.`,
  };
}

/** Codes as blocks write them (HTTP_STATUS, LLM_AUTH_FAILED, ECONNRESET): upper case, digits, underscores. */
const BLOCK_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * What a thrown (or `error`-yielded) value means for a node: an error with a code keeps it, its `details`
 * and its `transient` mark; anything else is NODE_FAILED with its message (a code of another shape leads
 * the message).
 */
export function toNodeError(error: unknown): NodeError {
  const found = nodeErrorOf(error);
  // A message may quote what the block saw (an answer's body): it must still be storable.
  const out: NodeError = { code: found.code, message: storableText(found.message) };
  const details = found.details && Object.keys(found.details).length > 0 ? storableDetails(found.details) : undefined;
  if (details) out.details = details;
  if (typeof found.transient === 'boolean') out.transient = found.transient;
  return out;
}

function nodeErrorOf(error: unknown): NodeError {
  if (error instanceof Error) {
    const { code, details, transient } = error as { code?: unknown; details?: unknown; transient?: unknown };
    // `block` (added when a run wraps an error) repeats what the node record already says.
    const { block: _block, ...own } = isPlainObject(details) ? details : {};
    const extras = { ...(Object.keys(own).length > 0 ? { details: own } : {}), ...(typeof transient === 'boolean' ? { transient } : {}) };
    if (typeof code === 'string' && BLOCK_CODE.test(code)) return { code, message: error.message || error.name, ...extras };
    const prefix = typeof code === 'string' && code !== '' ? `${code}: ` : '';
    return { code: EngineErrorCode.NODE_FAILED, message: `${prefix}${error.message || error.name}`, ...extras };
  }
  if (isNodeErrorLike(error)) {
    const extras = {
      ...(isPlainObject(error.details) ? { details: error.details } : {}),
      ...(typeof error.transient === 'boolean' ? { transient: error.transient } : {}),
    };
    return BLOCK_CODE.test(error.code)
      ? { code: error.code, message: error.message, ...extras }
      : { code: EngineErrorCode.NODE_FAILED, message: `${error.code}: ${error.message}`, ...extras };
  }
  return { code: EngineErrorCode.NODE_FAILED, message: typeof error === 'string' ? error : `the block failed with ${describeValue(error)}` };
}

/** A block's details as JSON the store can hold (texts made storable), or nothing when they are not JSON. */
function storableDetails(details: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    const copy = JSON.parse(JSON.stringify(details, (_key, value: unknown) => (typeof value === 'string' ? storableText(value) : value))) as unknown;
    return isPlainObject(copy) && findUnstorable(copy, 16) === null ? copy : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
