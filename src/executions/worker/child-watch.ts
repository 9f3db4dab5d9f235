// Child executions a durable execution waits for (agent.run): which of its WAITING runs wait for a child,
// and which of those children finished (read through the store port), with the outcome each node gets
// (engine/suspensions.ts childOutcome: sizes checked as for any output). The runner delivers them.
import type { AttemptOutcome } from '../engine/block-attempt.js';
import { NodeRunStatus, isFinalRunStatus, type NodeRun } from '../engine/engine.types.js';
import { childOutcome, type ChildResult } from '../engine/suspensions.js';
import type { ExecutionError } from '../engine/engine.errors.js';
import type { ExecutionStatus } from '../engine/engine.types.js';

/** A child execution's row as the store reads it. */
export interface ChildRow {
  id: string;
  status: ExecutionStatus;
  outputs: Record<string, unknown[]> | null;
  error: ExecutionError | null;
}

export interface ChildWait {
  run: NodeRun;
  child: string;
}

export class ChildWatch {
  constructor(private readonly childResults: (ids: string[]) => Promise<ChildRow[]>) {}

  /** The runs waiting for a child, with the child's id. */
  waits(runs: readonly NodeRun[]): ChildWait[] {
    const waits: ChildWait[] = [];
    for (const run of runs) {
      if (run.status === NodeRunStatus.WAITING && run.waiting_for?.kind === 'child_execution' && run.waiting_for.execution_id)
        waits.push({ run, child: run.waiting_for.execution_id });
    }
    return waits;
  }

  /** The waits whose child finished, with its result; throws when the store cannot be read. */
  async finished(waits: ChildWait[]): Promise<Array<{ wait: ChildWait; result: ChildResult }>> {
    if (waits.length === 0) return [];
    const rows = await this.childResults(waits.map((w) => w.child));
    const done: Array<{ wait: ChildWait; result: ChildResult }> = [];
    for (const row of rows) {
      const status = row.status;
      if (!isFinalRunStatus(status)) continue;
      done.push({ wait: waits.find((w) => w.child === row.id)!, result: { status, outputs: row.outputs, error: row.error } });
    }
    return done;
  }

  /** The outcomes of the waits whose child finished; throws when the store cannot be read. */
  async outcomes(waits: ChildWait[], values: { maxValueBytes: number; maxJsonDepth?: number }): Promise<Array<{ run: NodeRun; outcome: AttemptOutcome }>> {
    const finished = await this.finished(waits);
    return finished.map(({ wait, result }) => ({ run: wait.run, outcome: childOutcome(wait.run.node, String(wait.run.inputs.agent), result, values) }));
  }

  /** Whether any of these children finished (false when the store cannot be read). */
  async anyFinished(waits: ChildWait[]): Promise<boolean> {
    return (await this.finished(waits).catch(() => [])).length > 0;
  }
}
