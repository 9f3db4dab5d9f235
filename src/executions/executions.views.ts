// The Execution and Node execution shapes of interfaces.md (snake_case, ISO times with a zone).
import type { ExecutionRow, NodeExecutionRow } from './executions.repository.js';

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
  error: { code: string; message: string; node_id: string | null } | null;
  cost: number;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  node_executions?: NodeExecutionView[];
}

export interface NodeExecutionView {
  id: string;
  execution_id: string;
  node_id: string;
  block: string;
  status: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  error: { code: string; message: string } | null;
  cost: number;
  attempts: Array<{ attempt: number; started_at: string; ended_at: string | null; error: { code: string; message: string } | null }>;
  started_at: string | null;
  ended_at: string | null;
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
    error: row.error ? { code: row.error.code, message: row.error.message, node_id: row.error.node_id ?? null } : null,
    cost: Number(row.cost),
    created_at: iso(row.created_at)!,
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
  };
}

export function nodeExecutionView(row: Omit<NodeExecutionRow, 'seq'>): NodeExecutionView {
  return {
    id: row.id,
    execution_id: row.execution_id,
    node_id: row.node_id,
    block: row.block,
    status: row.status,
    inputs: row.inputs ?? {},
    outputs: row.outputs ?? {},
    error: row.error,
    cost: Number(row.cost),
    attempts: row.attempts ?? [],
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
  };
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
