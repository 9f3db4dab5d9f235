// The one filter for header maps Trellis stores or yields (trigger.webhook's `headers`, wait.event's):
// credentials and our own signatures never reach an execution's event, a node's inputs, or an answer
// (release-2.md section 1). Pure.

/** Request headers that are never stored or yielded, in lower case. */
export const HIDDEN_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  // Trellis webhook signatures (webhooks, webhook.send, notifications) and GitHub's.
  'x-trellis-signature',
  'x-trellis-signature-256',
  'x-trellis-timestamp',
  'x-hub-signature',
  'x-hub-signature-256',
]);

/** Header names in lower case (repeated values joined by ", "), minus every hidden header. */
export function storableHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || value === null || HIDDEN_HEADERS.has(lower)) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    // A plain assignment (the hot path: every webhook) except for the one name that would set the prototype.
    if (lower === '__proto__') Object.defineProperty(kept, lower, { value: text, enumerable: true, writable: true, configurable: true });
    else kept[lower] = text;
  }
  return kept;
}

/** A trigger's outputs as given by hand (execute API, tests): a `headers` map passes the same filter. */
export function withStorableHeaders(outputs: Record<string, unknown>): Record<string, unknown> {
  const headers = outputs.headers;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return outputs;
  return { ...outputs, headers: storableHeaders(headers as Record<string, unknown>) };
}
