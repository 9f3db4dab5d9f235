// The pure part of a GitHub delivery: its payload (JSON or the form-encoded `payload=`), what a
// trigger.github node yields for it, and which active triggers it fires.
import { githubEventMatches } from '../../blocks/library/trigger/trigger.github.js';
import type { GithubTrigger } from '../webhooks/trigger-catalog.js';

export interface GithubDelivery {
  event: string;
  action: string | null;
  delivery_id: string;
  repository: string | null;
  sender: string | null;
  payload: Record<string, unknown>;
}

/** Parses the body GitHub sent (application/json, or x-www-form-urlencoded with a `payload` field). */
export function parseGithubPayload(
  rawBody: Buffer | undefined,
  contentType: string | undefined,
): { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string } {
  if (!rawBody || rawBody.length === 0) return { ok: false, reason: 'the body is empty' };
  let text = rawBody.toString('utf8');
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) return { ok: false, reason: 'a form-encoded delivery has no payload field' };
    text = field;
  }
  try {
    const payload = JSON.parse(text) as unknown;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'the payload is not a JSON object' };
    return { ok: true, payload: payload as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: `the payload is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

export function describeDelivery(event: string, deliveryId: string, payload: Record<string, unknown>): GithubDelivery {
  const action = typeof payload.action === 'string' ? payload.action : null;
  const repository = (payload.repository as { full_name?: unknown } | undefined)?.full_name;
  const sender = (payload.sender as { login?: unknown } | undefined)?.login;
  return {
    event,
    action,
    delivery_id: deliveryId,
    repository: typeof repository === 'string' ? repository : null,
    sender: typeof sender === 'string' ? sender : null,
    payload,
  };
}

/** Every active trigger.github node this delivery fires, in a stable order (graph, node). */
export function matchingTriggers(triggers: readonly GithubTrigger[], delivery: GithubDelivery): GithubTrigger[] {
  return triggers.filter((trigger) => githubEventMatches(trigger, delivery));
}

/** The outputs a fired trigger.github node is seeded with. */
export function triggerOutputs(delivery: GithubDelivery): Record<string, unknown> {
  return {
    event: delivery.event,
    action: delivery.action,
    payload: delivery.payload,
    delivery_id: delivery.delivery_id,
    repository: delivery.repository,
    sender: delivery.sender,
  };
}
