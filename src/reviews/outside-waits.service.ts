// OUTSIDE_WAITS (executions/outside-waits.types.ts) on the reviews and wait_events tables: what the
// durable worker calls to open a review or an event wait, read how they ended, time them out, and close
// them when the execution ends.
import { Inject, Injectable } from '@nestjs/common';
import type { NodeError } from '../executions/engine/engine.errors.js';
import type { EventEnd, EventRequest, ReviewEnd, ReviewRequest } from '../executions/engine/wait-suspensions.js';
import type { OutsideWaits, WaitOwner } from '../executions/outside-waits.types.js';
import { EXECUTION_DISPATCHER, type ExecutionDispatcher } from '../executions/queue/execution-dispatcher.js';
import { WaitEventsRepository, type ConsumedRow } from '../wait-events/wait-events.repository.js';
import type { ReviewRow } from './reviews.repository.js';
import { ReviewsService } from './reviews.service.js';

@Injectable()
export class OutsideWaitsService implements OutsideWaits {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly events: WaitEventsRepository,
    @Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher,
  ) {}

  openReview(owner: WaitOwner, request: ReviewRequest): Promise<{ id: string; expires_at: string } | { error: NodeError }> {
    return this.reviews.open(owner, request);
  }

  async reviewEnds(ids: string[]): Promise<Array<{ id: string; end: ReviewEnd }>> {
    return (await this.reviews.ended(ids)).map((row) => ({ id: row.id, end: reviewEnd(row) }));
  }

  async toolReviewEnds(nodeExecutionId: string): Promise<Map<string, ReviewEnd>> {
    const rows = await this.reviews.ofToolCalls(nodeExecutionId);
    return new Map(rows.filter((row) => row.status !== 'pending').map((row) => [row.tool_call_id, reviewEnd(row)]));
  }

  async expireReview(id: string): Promise<ReviewEnd | null> {
    const row = await this.reviews.expire(id);
    return row && row.status !== 'pending' ? reviewEnd(row) : null;
  }

  async openEventWait(owner: WaitOwner, request: EventRequest): Promise<void> {
    // Consumed: wake the execution (it may have parked meanwhile; a runner that holds it looks at once).
    if (await this.events.consumeBuffered(owner, request.key)) await this.dispatcher.dispatch(owner.execution_id);
  }

  async eventEnds(nodeExecutionIds: string[]): Promise<Array<{ node_execution_id: string; end: EventEnd | null }>> {
    return (await this.events.consumed(nodeExecutionIds)).map((row) => ({ node_execution_id: row.consumed_by, end: eventEnd(row) }));
  }

  async expireEventWait(nodeExecutionId: string): Promise<EventEnd | null> {
    const row = await this.events.expire(nodeExecutionId);
    return row ? eventEnd(row) : null;
  }

  async executionsEnded(executionIds: string[]): Promise<void> {
    await this.reviews.executionsEnded(executionIds);
  }
}

function reviewEnd(row: ReviewRow): ReviewEnd {
  const d = row.decision;
  return {
    status: row.status as ReviewEnd['status'],
    data: row.data ?? null,
    decision: d ? { decision: d.decision, by: d.by, at: d.at, comment: d.comment } : null,
    on_timeout: row.on_timeout,
  };
}

function eventEnd(row: ConsumedRow): EventEnd | null {
  return row.timed_out ? null : { event: row.body ?? null, headers: row.headers ?? {} };
}
