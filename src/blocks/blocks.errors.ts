// Error codes of blocks and of running them. A block fails by throwing a BlockError (or yielding on its
// `error` pin); the engine records `{code, message}`, and POST /api/blocks/{id}/execute answers with the
// status below (documented in the controller).
import { AppError, markTransient, type Problem } from '../common/errors.js';
import type { BlockErrorSpec } from './block.types.js';

export const BlockErrorCode = {
  /** An input is missing, of the wrong type, or not meaningful (bad regex, cron, time zone...). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** A graph input with no default received no value. */
  MISSING_INPUT: 'MISSING_INPUT',
  /** A credential field could not be resolved. */
  CREDENTIAL_UNRESOLVED: 'CREDENTIAL_UNRESOLVED',
  /** The block yielded on an unknown pin or a value its output schema refuses (a bug in the block). */
  INVALID_OUTPUT: 'INVALID_OUTPUT',
  /** The attempt ran past its time limit. */
  NODE_TIMEOUT: 'NODE_TIMEOUT',
  /** The run was stopped (execution stopped, client gone). */
  CANCELLED: 'CANCELLED',
  /** The block failed for a reason of its own that has no more precise code. */
  NODE_FAILED: 'NODE_FAILED',
  /** The block only runs inside an execution (agent.run). */
  NEEDS_ENGINE: 'NEEDS_ENGINE',
  TEMPLATE_ERROR: 'TEMPLATE_ERROR',
  EXPRESSION_ERROR: 'EXPRESSION_ERROR',
  PARSE_ERROR: 'PARSE_ERROR',
  DIVISION_BY_ZERO: 'DIVISION_BY_ZERO',
  /** code.js: the code threw, or returned something that is not JSON. */
  CODE_ERROR: 'CODE_ERROR',
  /** code.js: the code ran past its time limit. */
  CODE_TIMEOUT: 'CODE_TIMEOUT',
  /** code.js: the code used more memory or stack than allowed. */
  CODE_MEMORY_LIMIT: 'CODE_MEMORY_LIMIT',
  /** A JSONata expression or Liquid template ran past sandbox.timeout and was stopped. */
  SANDBOX_TIMEOUT: 'SANDBOX_TIMEOUT',
  /** A JSONata expression or Liquid template used more than sandbox.memory. */
  SANDBOX_MEMORY: 'SANDBOX_MEMORY',
  /** A sandboxed result is larger than executor.max_value_bytes. */
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
} as const;

export type BlockErrorCode = (typeof BlockErrorCode)[keyof typeof BlockErrorCode];

/** HTTP status when the failure reaches POST /api/blocks/{id}/execute; a block's own failure is 422. */
const STATUS: Partial<Record<string, number>> = {
  INVALID_INPUT: 400,
  MISSING_INPUT: 400,
  CREDENTIAL_UNRESOLVED: 400,
  INVALID_OUTPUT: 500,
  NEEDS_ENGINE: 400,
  VALUE_TOO_LARGE: 413,
  NODE_TIMEOUT: 504,
  // nginx's "client closed request": only ever seen in logs, since the caller is gone.
  CANCELLED: 499,
};

export function blockErrorStatus(code: string): number {
  return STATUS[code] ?? 422;
}

export class BlockError extends AppError {
  constructor(code: BlockErrorCode | string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details, blockErrorStatus(code));
    this.name = 'BlockError';
  }
}

export function invalidInput(blockId: string, problems: Problem[]): BlockError {
  const text = problems.map((p) => p.message).join('; ');
  return new BlockError(BlockErrorCode.INVALID_INPUT, `Invalid input for block ${blockId}: ${text}`, { block: blockId, problems });
}

/** One problem with one pin, as INVALID_INPUT. */
export function invalidPin(blockId: string, pin: string, message: string): BlockError {
  return invalidInput(blockId, [{ pin, pointer: `/${pin}`, message: `${pin}: ${message}` }]);
}

/** POST /api/blocks/{id}/execute of a block that suspends (starts a child, waits for a review or an event). */
export function needsEngine(blockId: string): BlockError {
  return new BlockError(
    BlockErrorCode.NEEDS_ENGINE,
    `${blockId} suspends its node (it waits for a child execution, a review or an event), so it only runs inside an execution: put it in an agent and run that (POST /api/graphs/{id}/execute or trellis run).`,
    { block: blockId },
  );
}

/** The answer of POST /api/blocks/{id}/execute would pass executor.max_value_bytes. */
export function answerTooLarge(blockId: string, pin: string, maxBytes: number): BlockError {
  return new BlockError(
    'VALUE_TOO_LARGE',
    `${blockId} yielded more than executor.max_value_bytes (${maxBytes} bytes) in all, by pin "${pin}", so the run was stopped and nothing is answered. Ask for less (select the keys you need), or raise the limit in config.`,
    { block: blockId, pin, max_value_bytes: maxBytes },
  );
}

/**
 * Errors keep their code; anything else a block throws is NODE_FAILED with its message. A transient mark
 * survives; an unmarked error whose code the block declares transient (GITHUB_RATE_LIMITED on a 403,
 * EMAIL_UNREACHABLE) is marked transient, so `retry.on: transient` does what GET /api/blocks says.
 */
export function asBlockError(block: { id: string; errors?: readonly BlockErrorSpec[] }, error: unknown): BlockError {
  const wrapped =
    error instanceof BlockError
      ? error
      : error instanceof AppError
        ? new BlockError(error.code, error.message, { ...error.details, block: block.id })
        : new BlockError(BlockErrorCode.NODE_FAILED, `Block ${block.id} failed: ${error instanceof Error ? error.message : String(error)}`, {
            block: block.id,
          });
  // A transient mark (a timeout, a lost connection) is what a node's retry policy reads.
  const transient = typeof error === 'object' && error !== null ? (error as { transient?: unknown }).transient : undefined;
  if (typeof transient === 'boolean') return wrapped === error ? wrapped : Object.assign(wrapped, { transient });
  return block.errors?.some((declared) => declared.code === wrapped.code && declared.transient) ? markTransient(wrapped) : wrapped;
}
