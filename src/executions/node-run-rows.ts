// The one mapping between the node-run record (engine.types.ts NodeRunRecord), the core's NodeRun and the
// node_executions row as the database hands it back. Waiting reasons carry durations in the core and due
// times in the record (resume_at, waiting_for.until); the database gives bigint `seq` as text and times as
// Dates, the record numbers and ISO text. The worker, the API, the bus and the WebSocket all go through here.
import { isFinalRunStatus, recordFieldsOfRun, type NodeAttempt, type NodeRun, type NodeRunRecord, type WaitReason } from './engine/engine.types.js';

/** A node_executions row as pg or TypeORM returns it (every column of the record; more are ignored). */
export type NodeExecutionRow = Omit<NodeRunRecord, 'seq' | 'resume_at' | 'started_at' | 'ended_at'> & {
  seq: string | number;
  resume_at: Date | string | null;
  started_at: Date | string | null;
  ended_at: Date | string | null;
};

/** The columns of the record, for SELECT lists (`resumes` is read only where it is bumped). */
export const NODE_RUN_COLUMNS = `id, execution_id, seq, node_id, block, status, inputs, outputs, error, attempt, delivered_seq, waiting_for, resume_at,
  attempts, cost, started_at, ended_at, reused`;

/** A row read back, as the record. */
export function runRecordOfRow(row: NodeExecutionRow): NodeRunRecord {
  return {
    ...runFieldsOfRow(row),
    execution_id: row.execution_id,
    node_id: row.node_id,
    waiting_for: row.waiting_for,
    resume_at: isoOrNull(row.resume_at),
    attempts: row.attempts ?? [],
    cost: Number(row.cost),
    started_at: isoOrNull(row.started_at),
    ended_at: isoOrNull(row.ended_at),
    ...(row.resumes !== undefined ? { resumes: row.resumes } : {}),
  };
}

/** What a row (or a record read back) and the core's NodeRun hold alike; pg may give text `seq` and null inputs/outputs. */
function runFieldsOfRow(row: NodeExecutionRow): Omit<NodeRun, 'node' | 'waiting_for'> {
  return {
    id: row.id,
    seq: Number(row.seq),
    block: row.block,
    status: row.status,
    inputs: row.inputs ?? {},
    outputs: row.outputs ?? {},
    error: row.error,
    attempt: row.attempt,
    delivered_seq: row.delivered_seq,
    ...(row.reused ? { reused: true } : {}),
  };
}

function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A record to write; `inputs_unchanged`: the row already holds these inputs, so the write leaves them out. */
export type RunWrite = NodeRunRecord & { inputs_unchanged?: boolean };

export interface RunExtras {
  /** Epoch ms a WAITING run (delay, retry) is due. */
  resumeAt: Map<string, number>;
  attempts: Map<string, NodeAttempt[]>;
  cost: Map<string, number>;
  /** Epoch ms a run reached a final status. */
  endedAt: Map<string, number>;
  /** Runs whose (settled) inputs are in their row already: later writes leave them out. */
  inputsStored: Set<string>;
}

export function newExtras(): RunExtras {
  return { resumeAt: new Map(), attempts: new Map(), cost: new Map(), endedAt: new Map(), inputsStored: new Set() };
}

/** The record of `run` to write (the worker's attempts, cost, due and end times come from `extras`). */
export function toRunRecord(executionId: string, run: NodeRun, extras: RunExtras, now: number): RunWrite {
  const attempts = extras.attempts.get(run.id) ?? [];
  const final = isFinalRunStatus(run.status);
  if (final && !extras.endedAt.has(run.id) && (attempts.length > 0 || run.status !== 'COMPLETED')) extras.endedAt.set(run.id, now);
  const waiting = run.status === 'WAITING' ? run.waiting_for : null;
  const resumeAt = waiting && waiting.kind !== 'child_execution' ? (extras.resumeAt.get(run.id) ?? null) : null;
  const ended = extras.endedAt.get(run.id);
  // A run's inputs are settled once it leaves INCOMPLETE: written with its first such row, never again.
  const settled = run.status !== 'INCOMPLETE';
  const inputsUnchanged = settled && extras.inputsStored.has(run.id);
  if (settled) extras.inputsStored.add(run.id);
  return {
    ...recordFieldsOfRun(run),
    execution_id: executionId,
    seq: run.seq,
    attempt: run.attempt,
    delivered_seq: run.delivered_seq,
    ...(run.reused ? { reused: true } : {}),
    waiting_for: waiting ? { ...waiting, ...(resumeAt !== null ? { until: new Date(resumeAt).toISOString() } : {}) } : null,
    resume_at: resumeAt !== null ? new Date(resumeAt).toISOString() : null,
    attempts,
    cost: extras.cost.get(run.id) ?? 0,
    started_at: attempts[0]?.started_at ?? null,
    ended_at: final && ended !== undefined ? new Date(ended).toISOString() : null,
    ...(inputsUnchanged ? { inputs_unchanged: true } : {}),
  };
}

/** A record read back into the core's NodeRun; remembers due times, attempts and cost in `extras`. */
export function fromRunRecord(row: NodeRunRecord, extras: RunExtras, now: number): NodeRun {
  const resumeAt = row.resume_at ? new Date(row.resume_at).getTime() : null;
  if (resumeAt !== null) extras.resumeAt.set(row.id, resumeAt);
  const attempts = row.attempts ?? [];
  if (row.status === 'RUNNING') {
    // The attempt was cut short by a crash or a lost lease: recorded, and the node runs again.
    const last = attempts[attempts.length - 1];
    if (last && last.ended_at === null) {
      last.ended_at = new Date(now).toISOString();
      last.error = { code: 'NODE_FAILED', message: 'The worker running this attempt stopped (it crashed or lost its lease); the node runs again.' };
    }
  }
  extras.attempts.set(row.id, attempts);
  if (row.cost) extras.cost.set(row.id, row.cost);
  if (row.ended_at) extras.endedAt.set(row.id, new Date(row.ended_at).getTime());
  if (row.status !== 'INCOMPLETE') extras.inputsStored.add(row.id);
  return {
    ...runFieldsOfRow(row),
    node: row.node_id,
    waiting_for: row.status === 'WAITING' ? toWaitReason(row.waiting_for, resumeAt, now) : null,
  };
}

function toWaitReason(stored: NodeRunRecord['waiting_for'], resumeAt: number | null, now: number): WaitReason | null {
  if (!stored) return null;
  const delay = Math.max(0, (resumeAt ?? now) - now);
  if (stored.kind === 'retry') return { kind: 'retry', attempt: Number(stored.attempt ?? 0), delay_ms: delay };
  if (stored.kind === 'delay') return { kind: 'delay', delay_ms: delay };
  if (stored.kind === 'child_execution')
    return { kind: 'child_execution', ...(typeof stored.execution_id === 'string' ? { execution_id: stored.execution_id } : {}) };
  if (stored.kind === 'review') return { kind: 'review', delay_ms: delay, ...(typeof stored.review_id === 'string' ? { review_id: stored.review_id } : {}) };
  if (stored.kind === 'event') return { kind: 'event', key: String(stored.key), delay_ms: delay };
  if (stored.kind === 'tool') {
    const ids = (list: unknown) => (Array.isArray(list) ? list.map(String) : []);
    return { kind: 'tool', review_ids: ids(stored.review_ids), child_ids: ids(stored.child_ids), delay_ms: delay };
  }
  return null;
}
