// Node runs and a fake OUTSIDE_WAITS port for the unit specs of the worker's wait objects (child-watch,
// outside-watch): the port answers from maps the test fills and records what it was asked.
import { NodeRunStatus, type NodeRun, type WaitReason } from '../engine/engine.types.js';
import type { EventEnd, ReviewEnd } from '../engine/wait-suspensions.js';
import type { OutsideWaits } from '../outside-waits.types.js';
import type { ChildRow } from './child-watch.js';

export function waitingRun(id: string, waiting: WaitReason, inputs: Record<string, unknown> = {}, status: NodeRunStatus = NodeRunStatus.WAITING): NodeRun {
  return { id, seq: 1, node: `node-${id}`, block: 'test', status, inputs, outputs: {}, error: null, attempt: 1, delivered_seq: 0, waiting_for: waiting };
}

export const approved = (data: unknown): ReviewEnd => ({
  status: 'approved',
  data,
  decision: { decision: 'approve', by: 'alice', at: '2026-12-07T00:00:00.000Z', comment: null },
  on_timeout: 'reject',
});

export const timedOut = (onTimeout: ReviewEnd['on_timeout']): ReviewEnd => ({ status: 'timed_out', data: 'd', decision: null, on_timeout: onTimeout });

/** Children's rows by id, and the calls made to read them. */
export function fakeChildren(rows: ChildRow[]): { read(ids: string[]): Promise<ChildRow[]>; calls: string[][]; rows: Map<string, ChildRow> } {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const calls: string[][] = [];
  return {
    rows: byId,
    calls,
    read: async (ids) => {
      calls.push(ids);
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },
  };
}

export interface FakeOutside extends OutsideWaits {
  reviews: Map<string, ReviewEnd>;
  events: Map<string, EventEnd | null>;
  /** Reviews that end when expired (else expireReview answers null: no such review). */
  expiring: Map<string, ReviewEnd>;
  expired: string[];
}

export function fakeOutside(): FakeOutside {
  const port: FakeOutside = {
    reviews: new Map(),
    events: new Map(),
    expiring: new Map(),
    expired: [],
    openReview: () => Promise.reject(new Error('not used')),
    reviewEnds: async (ids) => ids.flatMap((id) => (port.reviews.has(id) ? [{ id, end: port.reviews.get(id)! }] : [])),
    toolReviewEnds: async () => new Map(),
    expireReview: async (id) => {
      port.expired.push(id);
      return port.reviews.get(id) ?? port.expiring.get(id) ?? null;
    },
    openEventWait: async () => undefined,
    eventEnds: async (ids) => ids.flatMap((id) => (port.events.has(id) ? [{ node_execution_id: id, end: port.events.get(id)! }] : [])),
    expireEventWait: async (id) => {
      port.expired.push(id);
      return port.events.get(id) ?? null;
    },
    executionsEnded: async () => undefined,
  };
  return port;
}
