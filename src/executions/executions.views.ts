// The Execution and Node execution shapes of interfaces.md (snake_case, ISO times with a zone).
import { waitingReasonOf, type NodeRunRecord, type WaitReason } from './engine/engine.types.js';
import type { ExecutionRow } from './executions.repository.js';

export interface ExecutionView {
  id: string;
  graph_id: string;
  graph_version: number;
  status: string;
  source: string;
  trigger_node: string | null;
  user_id: string;
  parent_id: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown[]> | null;
  error: { code: string; message: string; node_id: string | null; details?: Record<string, unknown> } | null;
  cost: number;
  /** Retry from the failure: the execution this one retries (present only on retries). */
  retry_of?: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  node_executions?: NodeExecutionView[];
  /** A RUNNING execution's waiting nodes (release-2.md section 3), in the detail. */
  waiting?: Array<{ node_id: string; reason: string; until: string | null }>;
}

/** The Node execution shape: the node-run record's public fields (engine.types.ts NodeRunRecord). */
export type NodeExecutionView = Pick<
  NodeRunRecord,
  'id' | 'execution_id' | 'node_id' | 'block' | 'status' | 'inputs' | 'outputs' | 'error' | 'cost' | 'attempts' | 'started_at' | 'ended_at'
> & { waiting_reason?: string; reused?: boolean };

/** The waits of a RUNNING execution's WAITING node runs: `[{node_id, reason, until}]`. */
export function waitingOf(records: readonly NodeRunRecord[]): NonNullable<ExecutionView['waiting']> {
  return records
    .filter((r) => r.status === 'WAITING' && r.waiting_for)
    .map((r) => ({ node_id: r.node_id, reason: waitingReasonOf(r.waiting_for as WaitReason), until: r.waiting_for?.until ?? r.resume_at ?? null }));
}

export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function executionView(row: ExecutionRow): ExecutionView {
  return {
    id: row.id,
    graph_id: row.graph_id,
    graph_version: row.graph_version,
    status: row.status,
    source: row.source,
    trigger_node: row.trigger_node,
    user_id: row.user_id,
    parent_id: row.parent_id,
    inputs: row.inputs ?? {},
    outputs: row.outputs,
    error: row.error
      ? { code: row.error.code, message: row.error.message, node_id: row.error.node_id ?? null, ...(row.error.details ? { details: row.error.details } : {}) }
      : null,
    cost: Number(row.cost),
    ...(row.retry_of ? { retry_of: row.retry_of } : {}),
    created_at: iso(row.created_at)!,
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
  };
}

export function nodeExecutionView(record: NodeRunRecord): NodeExecutionView {
  return {
    id: record.id,
    execution_id: record.execution_id,
    node_id: record.node_id,
    block: record.block,
    status: record.status,
    inputs: record.inputs,
    outputs: record.outputs,
    error: record.error,
    cost: record.cost,
    attempts: record.attempts,
    started_at: record.started_at,
    ended_at: record.ended_at,
    ...(record.status === 'WAITING' && record.waiting_for ? { waiting_reason: waitingReasonOf(record.waiting_for as WaitReason) } : {}),
    ...(record.reused ? { reused: true } : {}),
  };
}

/** An ai.agent node's stored conversation, as the detail shows it (steps so far, tokens, counts). */
export function withAgentTrace(view: NodeExecutionView, state: unknown): NodeExecutionView & { ai_agent?: Record<string, unknown> } {
  if (state === null || typeof state !== 'object') return view;
  const { steps, usage, modelCalls, toolCalls, cost } = state as {
    steps?: unknown;
    usage?: unknown;
    modelCalls?: unknown;
    toolCalls?: unknown;
    cost?: unknown;
  };
  return { ...view, ai_agent: { steps: steps ?? [], usage: usage ?? null, model_calls: modelCalls ?? 0, tool_calls: toolCalls ?? 0, cost: cost ?? 0 } };
}

/** Opaque cursors: base64url of JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, check: (value: unknown) => value is T): T | undefined | null {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return check(value) ? value : null;
  } catch {
    return null;
  }
}
