// The pure part of a webhook request: the signature check, the body as the trigger sees it, the headers
// it may see, and the ?wait= duration. No Nest, no database: tested with tables of cases.
import { createHash, timingSafeEqual } from 'node:crypto';
import { webhookSignature } from '../../blocks/library/communication/webhook-signature.js';
import { storableHeaders } from '../../common/stored-headers.js';
import { parseDuration } from '../../common/units.js';
import { checkHttpResponse, type HttpAnswer } from '../../executions/engine/http-response.js';

export type { HttpAnswer };

export const TIMESTAMP_HEADER = 'x-trellis-timestamp';
export const SIGNATURE_HEADER = 'x-trellis-signature-256';
export const MAX_WAIT_MS = 60_000;

export type SignatureProblem = 'missing' | 'bad_timestamp' | 'stale' | 'mismatch';

/**
 * Checks `X-Trellis-Timestamp` (unix seconds, within `toleranceMs` of `nowMs`) and
 * `X-Trellis-Signature-256` (`sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`) in constant time.
 * Answers null when the request is signed correctly, else what is wrong.
 */
export function checkSignature(
  secret: string,
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  toleranceMs: number,
  nowMs: number,
): SignatureProblem | null {
  if (!timestamp || !signature) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad_timestamp';
  const seconds = Number(timestamp);
  if (Math.abs(nowMs - seconds * 1000) > toleranceMs) return 'stale';
  const expected = Buffer.from(webhookSignature(secret, seconds, rawBody));
  const given = Buffer.from(signature.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'mismatch';
  return null;
}

/** The body a trigger yields: JSON parsed when it is JSON, other text as a string, null when empty. */
export function parseWebhookBody(rawBody: Buffer | undefined, contentType: string | undefined): { ok: true; body: unknown } | { ok: false; reason: string } {
  if (!rawBody || rawBody.length === 0) return { ok: true, body: null };
  const text = rawBody.toString('utf8');
  if (!isJsonType(contentType)) return { ok: true, body: text };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** Request headers with lower-case names (as Node gives them), minus signatures and credentials. */
export function visibleHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return storableHeaders(headers);
}

/** sha256 of the raw body, hex: the same Idempotency-Key with another body is a conflict. */
export function bodyHash(rawBody: Buffer | undefined): string {
  return createHash('sha256')
    .update(rawBody ?? Buffer.alloc(0))
    .digest('hex');
}

/** `?wait=`: seconds as a bare number, or a duration like 500ms, 5s, 1m; at most 60 s. Null when invalid. */
export function parseWait(raw: string): number | null {
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : parseDuration(raw);
  if (ms === null || !Number.isFinite(ms) || ms < 0 || ms > MAX_WAIT_MS) return null;
  return ms;
}

/** An `http_response` output value as an HTTP answer, or null when unusable (the engine failed such a node already). */
export function httpResponseFrom(value: unknown): HttpAnswer | null {
  const checked = checkHttpResponse(value);
  return checked.ok ? checked.answer : null;
}

/** What every answer shaped by `http_response` carries, unless `webhooks.html_responses` lists the agent. */
export const SANDBOX_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "sandbox; default-src 'none'",
};

export function shapedAnswerHeaders(answer: HttpAnswer, agent: string, htmlAgents: readonly string[]): Record<string, string> {
  return htmlAgents.includes(agent) ? { 'X-Content-Type-Options': 'nosniff', ...answer.headers } : { ...answer.headers, ...SANDBOX_HEADERS };
}
