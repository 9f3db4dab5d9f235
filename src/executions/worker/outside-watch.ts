// Waits of a durable execution that the outside ends (human.review, wait.event, ai.agent tool approvals):
// which WAITING runs wait on a review or an event, how those ended (read through the OutsideWaits port), and
// their timeouts. The runner posts each ending as the node's outcome (an ai.agent run whose tool reviews all
// ended runs again instead: `resume`), at most once per run here; the node's WAITING row is the guard across
// processes (a run that is no longer WAITING takes nothing).
import type { AttemptOutcome } from '../engine/block-attempt.js';
import { isFinalRunStatus, NodeRunStatus, type NodeRun } from '../engine/engine.types.js';
import { eventOutcome, reviewOutcome, type EventRequest } from '../engine/wait-suspensions.js';
import type { OutsideWaits } from '../outside-waits.types.js';
import type { ChildRow } from './child-watch.js';

export interface OutsideEnd {
  run: NodeRun;
  /** The node's outcome, or `resume`: an ai.agent run whose tool reviews ended runs again (it reads the decisions). */
  outcome: AttemptOutcome | 'resume';
}

const OUTSIDE_KINDS = new Set(['review', 'event', 'tool']);

export class OutsideWatch {
  /** Runs whose ending is being posted (never twice). */
  private readonly taken = new Set<string>();

  constructor(
    private readonly port: OutsideWaits | null,
    /** Child executions' rows (the children of ai.agent tool calls). */
    private readonly childResults?: (ids: string[]) => Promise<ChildRow[]>,
  ) {}

  /** Whether a run waits on a review or an event. */
  static waitsOutside(run: NodeRun): boolean {
    return run.status === NodeRunStatus.WAITING && OUTSIDE_KINDS.has(run.waiting_for?.kind ?? '');
  }

  /** The endings of these runs' waits that happened (throws when the store cannot be read). */
  async ended(runs: readonly NodeRun[]): Promise<OutsideEnd[]> {
    if (!this.port) return [];
    const reviews = new Map<string, NodeRun>();
    const events = new Map<string, NodeRun>();
    const tools: NodeRun[] = [];
    for (const run of runs) {
      if (!OutsideWatch.waitsOutside(run) || this.taken.has(run.id)) continue;
      const reason = run.waiting_for!;
      if (reason.kind === 'review' && reason.review_id) reviews.set(reason.review_id, run);
      if (reason.kind === 'event') events.set(run.id, run);
      if (reason.kind === 'tool') tools.push(run);
    }
    const ends: OutsideEnd[] = [];
    if (tools.length > 0) {
      // An ai.agent runs again once every review and every child execution it waits on ended.
      const reasons = tools.map((run) => run.waiting_for as { review_ids: string[]; child_ids?: string[] });
      const reviewIds = reasons.flatMap((r) => r.review_ids);
      const childIds = reasons.flatMap((r) => r.child_ids ?? []);
      const over = new Set(reviewIds.length ? (await this.port.reviewEnds(reviewIds)).map((end) => end.id) : []);
      if (childIds.length && this.childResults) for (const row of await this.childResults(childIds)) if (isFinalRunStatus(row.status)) over.add(row.id);
      tools.forEach((run, i) => {
        if ([...reasons[i]!.review_ids, ...(reasons[i]!.child_ids ?? [])].every((id) => over.has(id))) ends.push({ run, outcome: 'resume' });
      });
    }
    if (reviews.size > 0)
      for (const { id, end } of await this.port.reviewEnds([...reviews.keys()])) {
        const run = reviews.get(id)!;
        ends.push({ run, outcome: reviewOutcome(run.node, end) });
      }
    if (events.size > 0)
      for (const { node_execution_id, end } of await this.port.eventEnds([...events.keys()])) {
        const run = events.get(node_execution_id)!;
        ends.push({ run, outcome: eventOutcome(run.node, String(run.inputs.key), end, onTimeoutOf(run)) });
      }
    return ends.filter((end) => this.take(end.run));
  }

  /** The run's wait timed out: how it ended (a decision or an event that came first wins); null when taken already. */
  async expire(run: NodeRun): Promise<OutsideEnd | null> {
    if (!this.port || !OutsideWatch.waitsOutside(run) || this.taken.has(run.id)) return null;
    const reason = run.waiting_for!;
    let outcome: AttemptOutcome | 'resume';
    if (reason.kind === 'tool') {
      // Each review times out on its own terms (on_timeout: reject); then the agent reads the decisions, once its children ended too.
      for (const id of reason.review_ids) await this.port.expireReview(id);
      const children = reason.child_ids ?? [];
      if (children.length && this.childResults && (await this.childResults(children)).filter((row) => isFinalRunStatus(row.status)).length < children.length)
        return null;
      outcome = 'resume';
    } else if (reason.kind === 'review') {
      if (!reason.review_id) return null;
      const end = await this.port.expireReview(reason.review_id);
      if (!end) return null;
      outcome = reviewOutcome(run.node, end);
    } else {
      const end = await this.port.expireEventWait(run.id);
      outcome = eventOutcome(run.node, String(run.inputs.key), end, onTimeoutOf(run));
    }
    return this.take(run) ? { run, outcome } : null;
  }

  /** The ending was not applied (the write failed): it may be taken again. */
  release(runId: string): void {
    this.taken.delete(runId);
  }

  private take(run: NodeRun): boolean {
    if (this.taken.has(run.id)) return false;
    this.taken.add(run.id);
    return true;
  }
}

function onTimeoutOf(run: NodeRun): EventRequest['on_timeout'] {
  return run.inputs.on_timeout === 'continue' ? 'continue' : 'fail';
}
