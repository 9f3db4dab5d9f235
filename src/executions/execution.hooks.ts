// Points where other modules plug into executions (credits, notifications). Each is a small interface with
// a Nest token and a default that does nothing, so executions run before those modules exist.
import type { ExecutionError } from './engine/engine.errors.js';
import type { FinalStatus } from './engine/engine.types.js';

export interface ChargeRequest {
  executionId: string;
  nodeExecutionId: string;
  /** The attempt about to run (1-based): a charge is unique per (node execution, attempt). */
  attempt: number;
  userId: string;
  blockId: string;
  /** The attempt's inputs (LLM blocks cost per model); for a call, the inputs of what it runs. */
  inputs: Record<string, unknown>;
  /**
   * A call inside the attempt (an ai.agent model call, `blockId` the node's block, or a block tool run,
   * `blockId` the tool's block) charged on its own: once per (nodeExecutionId, key), whatever the attempt.
   */
  call?: { key: string; reason: string };
}

export interface ChargeResult {
  /** Credits charged by this request (0 when credits are off, the block is free, or it was charged before). */
  amount: number;
  /** For a call: what it costs, charged now or before (0 when credits are off). */
  cost?: number;
}

/**
 * Charged just before each node attempt. Refuses by throwing an error with code INSUFFICIENT_CREDITS (the
 * node and the execution fail, never routable). Must be idempotent per (nodeExecutionId, attempt).
 */
export interface ExecutionChargeHook {
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

export const EXECUTION_CHARGE_HOOK = Symbol('EXECUTION_CHARGE_HOOK');

export const noCharge: ExecutionChargeHook = { charge: async () => ({ amount: 0 }) };

/** What admission's credit pre-check reads (credits): the user's balance, null when they have no account. */
export interface CreditBalanceLookup {
  balance(userId: string): Promise<number | null>;
}

export const CREDIT_BALANCE = Symbol('CREDIT_BALANCE');

export const noBalance: CreditBalanceLookup = { balance: async () => null };

export interface FinishedExecution {
  id: string;
  graph_id: string;
  graph_version: number;
  user_id: string;
  parent_id: string | null;
  status: FinalStatus;
  error: ExecutionError | null;
  outputs: Record<string, unknown[]> | null;
}

/** Called once an execution's final status is in Postgres (notifications). Errors are logged, never raised. */
export interface ExecutionFinishedHook {
  finished(execution: FinishedExecution): Promise<void>;
}

export const EXECUTION_FINISHED_HOOK = Symbol('EXECUTION_FINISHED_HOOK');

export const noFinishedHook: ExecutionFinishedHook = { finished: async () => undefined };
