// Converting between the core's NodeRun records and node_executions rows: waiting reasons carry
// durations in the core and due times in the row (resume_at, waiting_for.until).
import { isFinalRunStatus, type NodeRun, type WaitReason } from '../engine/engine.types.js';
import type { NodeAttempt } from '../node-execution.entity.js';
import type { StoredRun } from './execution-store.repository.js';

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

export function toStoredRun(executionId: string, run: NodeRun, extras: RunExtras, now: number): StoredRun {
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
    id: run.id,
    execution_id: executionId,
    seq: run.seq,
    node_id: run.node,
    block: run.block,
    status: run.status,
    inputs: run.inputs,
    outputs: run.outputs,
    error: run.error,
    attempt: run.attempt,
    delivered_seq: run.delivered_seq,
    waiting_for: waiting ? { ...waiting, ...(resumeAt !== null ? { until: new Date(resumeAt).toISOString() } : {}) } : null,
    resume_at: resumeAt !== null ? new Date(resumeAt).toISOString() : null,
    attempts,
    cost: extras.cost.get(run.id) ?? 0,
    started_at: attempts[0]?.started_at ?? null,
    ended_at: final && ended !== undefined ? new Date(ended).toISOString() : null,
    ...(inputsUnchanged ? { inputs_unchanged: true } : {}),
  };
}

/** A stored row back into the core's record; remembers due times, attempts and cost in `extras`. */
export function fromStoredRun(row: StoredRun, extras: RunExtras, now: number): NodeRun {
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
    id: row.id,
    seq: Number(row.seq),
    node: row.node_id,
    block: row.block,
    status: row.status,
    inputs: row.inputs ?? {},
    outputs: row.outputs ?? {},
    error: row.error,
    attempt: row.attempt,
    delivered_seq: row.delivered_seq,
    waiting_for: row.status === 'WAITING' ? toWaitReason(row.waiting_for, resumeAt, now) : null,
  };
}

function toWaitReason(stored: Record<string, unknown> | null, resumeAt: number | null, now: number): WaitReason | null {
  if (!stored) return null;
  const delay = Math.max(0, (resumeAt ?? now) - now);
  if (stored.kind === 'retry') return { kind: 'retry', attempt: Number(stored.attempt ?? 0), delay_ms: delay };
  if (stored.kind === 'delay') return { kind: 'delay', delay_ms: delay };
  if (stored.kind === 'child_execution')
    return { kind: 'child_execution', ...(typeof stored.execution_id === 'string' ? { execution_id: stored.execution_id } : {}) };
  return null;
}
