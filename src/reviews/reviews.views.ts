// The API shape of a review (release-2.md section 3) and who may read or decide it.
import type { Principal } from '../auth/principal.js';
import type { ReviewRow } from './reviews.repository.js';

export interface ReviewView {
  id: string;
  execution_id: string;
  node_id: string;
  graph_id: string;
  title: string;
  body: string;
  data: unknown;
  decisions: string[];
  status: string;
  decision: { decision: string; by: string | null; at: string; comment: string | null } | null;
  created_at: string;
  expires_at: string;
}

/** A pending review of an execution that ended reads as cancelled (the worker marks it so shortly). */
export function reviewStatus(row: ReviewRow): string {
  return row.status === 'pending' && row.execution_status !== 'RUNNING' ? 'cancelled' : row.status;
}

export function reviewView(row: ReviewRow): ReviewView {
  const d = row.decision;
  return {
    id: row.id,
    execution_id: row.execution_id,
    node_id: row.node_id,
    graph_id: row.graph_id,
    title: row.title,
    body: row.body,
    data: row.data ?? null,
    decisions: row.decisions,
    status: reviewStatus(row),
    decision: d ? { decision: d.decision, by: d.by, at: d.at, comment: d.comment } : null,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
  };
}

/** Named reviewers (by user or role) decide; admins decide any; the execution's user only if named by handle. */
export function mayDecide(principal: Principal, row: ReviewRow): boolean {
  if (principal.role === 'admin') return true;
  const userId = principal.user.id;
  if (row.reviewers.users.includes(userId)) return true;
  return row.user_id !== userId && row.reviewers.roles.includes(principal.role);
}

/** The execution's user reads its reviews; deciders read theirs. */
export function mayRead(principal: Principal, row: ReviewRow): boolean {
  return mayDecide(principal, row) || row.user_id === principal.user.id;
}

/** Whether a user (by id and role, e.g. a link's) may still decide. */
export function userMayDecide(user: { id: string; role: string }, row: ReviewRow): boolean {
  if (row.reviewers.users.includes(user.id)) return true;
  return row.user_id !== user.id && row.reviewers.roles.includes(user.role);
}
