// The suspension rules of the waits that people and the outside world end (release-2.md section 3):
// `human.review` (a review row a reviewer decides, or its timeout) and `wait.event` (an event posted on a
// key, or its timeout). Each rule checks the run's inputs and answers what the durable runner opens; each
// outcome function turns the wait's end into the node's yields or its routable error.
import { parseDuration } from '../../common/units.js';
import type { AttemptOutcome } from './block-attempt.js';
import { EngineErrorCode, type NodeError } from './engine.errors.js';
import type { NodeRun, NodeYield } from './engine.types.js';
import type { CompiledNode } from './graph.compiler.js';

export const REVIEW_DECISIONS = ['approve', 'reject', 'edit'] as const;
export type ReviewDecisionKind = (typeof REVIEW_DECISIONS)[number];
export const REVIEW_ON_TIMEOUT = ['reject', 'approve', 'fail'] as const;
export const EVENT_ON_TIMEOUT = ['fail', 'continue'] as const;
export const EVENT_KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const DEFAULT_REVIEW_TIMEOUT = '7d';
const DEFAULT_EVENT_TIMEOUT = '1h';

/** What a human.review node asks for: the durable runner stores it as a review row. */
export interface ReviewRequest {
  title: string;
  body: string;
  data: unknown;
  /** Handles and roles that may decide; null: the agent's owner (the runner resolves it). */
  reviewers: { users: string[]; roles: string[] } | null;
  decisions: ReviewDecisionKind[];
  schema: Record<string, unknown> | null;
  timeout_ms: number;
  on_timeout: (typeof REVIEW_ON_TIMEOUT)[number];
}

/** What a wait.event node asks for. */
export interface EventRequest {
  key: string;
  timeout_ms: number;
  on_timeout: (typeof EVENT_ON_TIMEOUT)[number];
}

/** How a review ended, as the node sees it. */
export interface ReviewEnd {
  status: 'approved' | 'rejected' | 'timed_out' | 'cancelled';
  /** The data as decided (edited when the decision was `edit`). */
  data: unknown;
  decision: { decision: string; by: string | null; at: string; comment: string | null } | null;
  on_timeout: ReviewRequest['on_timeout'];
}

/** A consumed event (null: the wait timed out). */
export interface EventEnd {
  event: unknown;
  headers: Record<string, string>;
}

type Problem = { ok: false; error: NodeError };

export function reviewRequestOf(run: NodeRun, node: CompiledNode): ReviewRequest | Problem {
  const inputs = run.inputs;
  const where = `Node "${node.id}" (human.review)`;
  const decisions = inputs.decisions ?? ['approve', 'reject'];
  if (!Array.isArray(decisions) || decisions.length === 0 || decisions.some((d) => !REVIEW_DECISIONS.includes(d as ReviewDecisionKind)))
    return problem(`${where} got decisions ${JSON.stringify(decisions)}: list some of approve, reject, edit.`);
  const schema = inputs.schema ?? null;
  if (schema !== null && (typeof schema !== 'object' || Array.isArray(schema))) return problem(`${where} needs \`schema\` to be a JSON Schema object.`);
  if (decisions.includes('edit') && schema === null)
    return problem(`${where} lets reviewers edit the data, which needs a \`schema\` to check the edit against.`);
  const timeout = durationOf(inputs.timeout ?? DEFAULT_REVIEW_TIMEOUT);
  if (timeout === null) return problem(`${where} got timeout ${JSON.stringify(inputs.timeout)}: use a duration like 30m, 2h or 7d.`);
  const onTimeout = inputs.on_timeout ?? 'reject';
  if (!REVIEW_ON_TIMEOUT.includes(onTimeout as never)) return problem(`${where} got on_timeout ${JSON.stringify(onTimeout)}: use reject, approve or fail.`);
  const reviewers = reviewersOf(inputs.reviewers);
  if (reviewers === undefined) return problem(`${where} needs \`reviewers\` as {users: [handles], roles: [admin|user]}.`);
  return {
    title: typeof inputs.title === 'string' ? inputs.title : String(inputs.title ?? ''),
    body: typeof inputs.body === 'string' ? inputs.body : '',
    data: inputs.data === undefined ? null : inputs.data,
    reviewers,
    decisions: [...new Set(decisions as ReviewDecisionKind[])],
    schema: schema as Record<string, unknown> | null,
    timeout_ms: timeout,
    on_timeout: onTimeout as ReviewRequest['on_timeout'],
  };
}

export function eventRequestOf(run: NodeRun, node: CompiledNode): EventRequest | Problem {
  const where = `Node "${node.id}" (wait.event)`;
  const key = run.inputs.key;
  if (typeof key !== 'string' || !EVENT_KEY.test(key))
    return problem(`${where} got key ${JSON.stringify(key)}: use 1-200 characters of letters, digits and . _ : -`);
  const timeout = durationOf(run.inputs.timeout ?? DEFAULT_EVENT_TIMEOUT);
  if (timeout === null) return problem(`${where} got timeout ${JSON.stringify(run.inputs.timeout)}: use a duration like 30s, 10m or 1h.`);
  const onTimeout = run.inputs.on_timeout ?? 'fail';
  if (!EVENT_ON_TIMEOUT.includes(onTimeout as never)) return problem(`${where} got on_timeout ${JSON.stringify(onTimeout)}: use fail or continue.`);
  return { key, timeout_ms: timeout, on_timeout: onTimeout as EventRequest['on_timeout'] };
}

/** The outcome of a human.review node whose review ended. */
export function reviewOutcome(nodeId: string, end: ReviewEnd): AttemptOutcome {
  if (end.status === 'cancelled') return { ok: false, error: { code: EngineErrorCode.CANCELLED, message: `The review of node "${nodeId}" was cancelled.` } };
  const decision = end.decision ?? { decision: end.status, by: null, at: new Date(0).toISOString(), comment: null };
  let approved = end.status === 'approved';
  if (end.status === 'timed_out') {
    if (end.on_timeout === 'fail')
      return { ok: false, error: { code: EngineErrorCode.REVIEW_TIMEOUT, message: `Nobody decided the review of node "${nodeId}" before it timed out.` } };
    approved = end.on_timeout === 'approve';
  }
  const yields: NodeYield[] = approved ? [['approved', end.data]] : [['rejected', { data: end.data, comment: decision.comment }]];
  yields.push(['decision', decision]);
  return { ok: true, yields };
}

/** The outcome of a wait.event node: the event, or (null) its timeout. */
export function eventOutcome(nodeId: string, key: string, end: EventEnd | null, onTimeout: EventRequest['on_timeout']): AttemptOutcome {
  if (end === null && onTimeout === 'fail')
    return { ok: false, error: { code: EngineErrorCode.EVENT_TIMEOUT, message: `No event arrived on key "${key}" for node "${nodeId}" before it timed out.` } };
  return {
    ok: true,
    yields: [
      ['event', end ? end.event : null],
      ['headers', end ? end.headers : {}],
    ],
  };
}

function reviewersOf(value: unknown): ReviewRequest['reviewers'] | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { users = [], roles = [] } = value as { users?: unknown; roles?: unknown };
  const strings = (list: unknown) => Array.isArray(list) && list.every((x) => typeof x === 'string');
  if (!strings(users) || !strings(roles)) return undefined;
  return { users: users as string[], roles: roles as string[] };
}

function durationOf(value: unknown): number | null {
  if (typeof value === 'number' && value >= 0) return value;
  return parseDuration(value);
}

function problem(message: string): Problem {
  return { ok: false, error: { code: EngineErrorCode.NODE_FAILED, message } };
}
