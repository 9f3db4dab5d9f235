// How Trellis signs webhook bodies (spec/runtime.md, Webhook): X-Trellis-Timestamp is unix seconds, and
// X-Trellis-Signature-256 is `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` under the shared secret.
import { createHmac } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Trellis-Timestamp';
export const SIGNATURE_HEADER = 'X-Trellis-Signature-256';

/** `sha256=<hex>` for a body sent at `timestamp` (unix seconds). */
export function webhookSignature(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** The two headers that sign `rawBody`, stamped now (or at `now`, ms). */
export function webhookSignatureHeaders(secret: string, rawBody: string | Buffer, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, rawBody) };
}
