// Plain data the scheduling core works on and hands to its shells: node-execution records, steps (what
// changed because of one event) and the execution's own status. No classes, no I/O: a shell persists these
// as rows and rebuilds them (see scheduler.ts).
import type { ExecutionError, NodeError } from './engine.errors.js';

export const NodeRunStatus = {
  /** Holding some inputs, waiting for others. */
  INCOMPLETE: 'INCOMPLETE',
  /** Complete inputs, waiting for a slot. */
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  /** A delay, a child execution or a retry backoff: no slot held. */
  WAITING: 'WAITING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type NodeRunStatus = (typeof NodeRunStatus)[keyof typeof NodeRunStatus];

export const ExecutionStatus = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
/** The execution's status (the one vocabulary: the executions table, the API and the runners use it). */
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/** The statuses an execution (or a node run) ends in: nothing changes it afterwards. */
export type FinalStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED';
export const FINAL_STATUSES: readonly FinalStatus[] = [ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED];

export function isFinalRunStatus(status: string): status is FinalStatus {
  return status === ExecutionStatus.COMPLETED || status === ExecutionStatus.FAILED || status === ExecutionStatus.CANCELLED;
}

/** What a WAITING node run waits for (durations in milliseconds; the shell turns them into times). */
export type WaitReason =
  | { kind: 'retry'; attempt: number; delay_ms: number }
  | { kind: 'delay'; delay_ms: number }
  | { kind: 'child_execution'; execution_id?: string }
  /** human.review: the review row (set by a durable runner once opened), due as a timeout after `delay_ms`. */
  | { kind: 'review'; review_id?: string; delay_ms: number }
  /** wait.event: an event on `key`, due as a timeout after `delay_ms`. */
  | { kind: 'event'; key: string; delay_ms: number }
  /**
   * ai.agent: tool calls waiting on their reviews (require_approval) and child executions (agent tools);
   * runs again once all ended; the reviews time out after `delay_ms`.
   */
  | { kind: 'tool'; review_ids: string[]; child_ids?: string[]; delay_ms: number };

/** The API's `waiting_reason` of a WaitReason (release-2.md section 3: review|event|delay|child|tool). */
export function waitingReasonOf(reason: WaitReason): 'review' | 'event' | 'delay' | 'child' | 'tool' {
  if (reason.kind === 'child_execution') return 'child';
  if (reason.kind === 'tool') return 'tool';
  if (reason.kind === 'review' || reason.kind === 'event') return reason.kind;
  return 'delay';
}

/**
 * One node execution: one run of one node with one complete set of inputs, or (INCOMPLETE) the inputs
 * collected so far. This is the row a durable shell stores.
 */
export interface NodeRun {
  /** Opaque id (see SchedulerOptions.newRunId). */
  id: string;
  /** Creation order within the execution, from 1: rows must be read back in this order. */
  seq: number;
  node: string;
  block: string;
  status: NodeRunStatus;
  /**
   * INCOMPLETE: linked values collected so far, keyed by slot (`pin`, or `pin.key` for a sink-side dict
   * key; a gather pin holds the list gathered so far). Any other status: the complete inputs the block
   * runs with, constants merged in.
   */
  inputs: Record<string, unknown>;
  /** Pin -> values yielded by the successful attempt (streaming: as delivered), in yield order. */
  outputs: Record<string, unknown[]>;
  error: NodeError | null;
  /** Attempts started so far (0 while INCOMPLETE or QUEUED for the first time). */
  attempt: number;
  /** Streaming blocks: highest yield sequence number already delivered along links. */
  delivered_seq: number;
  waiting_for: WaitReason | null;
  /** Retry from the failure: copied from the retried execution's record instead of run. */
  reused?: boolean;
}

/** One try of a node run, as its record lists them. */
export interface NodeAttempt {
  attempt: number;
  started_at: string;
  ended_at: string | null;
  error: NodeError | null;
}

/** A WaitReason as stored: with `until`, when a delay or retry backoff is due (the shell's clock). */
export type StoredWaitReason = WaitReason & { until?: string };

/**
 * The node-run record: one node_executions row, the one shape every writer and reader of that table uses
 * (the durable worker writes it; the API, the bus, the WebSocket and the in-memory runner's report show
 * it). It is the NodeRun above in the row's names, plus what a shell records around it: its execution,
 * attempts, cost, due time, start and end. Times are ISO text. node-run-rows.ts is the one mapping between
 * it, NodeRun and the row as the database returns it.
 */
export interface NodeRunRecord extends Omit<NodeRun, 'node' | 'waiting_for'> {
  execution_id: string;
  /** NodeRun.node. (`seq` is the row's bigint, read back as a number.) */
  node_id: string;
  waiting_for: StoredWaitReason | null;
  /** When a WAITING run (delay, retry backoff) is due. */
  resume_at: string | null;
  attempts: NodeAttempt[];
  /** Credits charged over its attempts. */
  cost: number;
  started_at: string | null;
  ended_at: string | null;
  /** Re-runs after lease lapses so far (read only: the worker's claim read bumps it). */
  resumes?: number;
}

/** The part of the node-run record a NodeRun decides, in the record's names (shells add the rest). */
export function recordFieldsOfRun(run: NodeRun): Pick<NodeRunRecord, 'id' | 'node_id' | 'block' | 'status' | 'inputs' | 'outputs' | 'error'> {
  return { id: run.id, node_id: run.node, block: run.block, status: run.status, inputs: run.inputs, outputs: run.outputs, error: run.error };
}

/** The execution-level change an event caused, if any. */
export interface ExecutionChange {
  status: ExecutionStatus;
  error: ExecutionError | null;
  /** Set when the execution finished: `{output name: [values in order]}`, every output name present. */
  outputs: Record<string, unknown[]> | null;
}

/**
 * Everything one event changed, in order: the shell persists `changed` and `execution` together (one
 * transaction), then acts on `started`, `retries` and `abort`, then announces.
 */
export interface Step {
  /** Node runs created or modified by the event, each once, in the order they were first touched. */
  changed: NodeRun[];
  /** Runs that moved from QUEUED to RUNNING: start their attempt now. */
  started: NodeRun[];
  /** Runs now WAITING for a retry backoff: call `retryDue` after `delay_ms`. */
  retries: Array<{ run: NodeRun; delay_ms: number }>;
  /** Ids of runs whose attempt must be aborted (the execution failed or was cancelled). */
  abort: string[];
  execution: ExecutionChange | null;
}

export type NodeYield = readonly [pin: string, value: unknown];

/** How an execution is seeded (runtime.md "Seeding"). */
export type Seed =
  { inputs: Record<string, unknown>; trigger?: undefined } | { trigger: { node: string; outputs: Record<string, unknown> }; inputs?: undefined };
