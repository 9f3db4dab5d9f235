// The `http_response` output (release-2.md section 3, "Answering early"): the value an agent gives to shape
// its webhook answer, `{status?, headers?, body?}`. Checked when the value reaches the output node, so a bad
// one fails that node with HTTP_RESPONSE_INVALID (routable) instead of failing the HTTP answer later (a 500).
// The webhook answer is built from a checked value only (triggers/webhooks/webhook-request.ts).

/** The output name that shapes webhook answers. */
export const HTTP_RESPONSE_OUTPUT = 'http_response';

/** Headers an agent may not set: framing, cookies, transport security, and the policies we set ourselves. */
const FORBIDDEN = new Set([
  'set-cookie',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'keep-alive',
  'trailer',
  'strict-transport-security',
  'content-security-policy',
]);
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// Header values: visible characters, spaces and tabs; no CR, LF or other control characters.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The answer a value stands for, or what is wrong with it (a message for HTTP_RESPONSE_INVALID). */
export function checkHttpResponse(value: unknown): { ok: true; answer: HttpAnswer } | { ok: false; problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'it must be an object {status, headers, body}' };
  }
  const record = value as Record<string, unknown>;
  const status = record.status === undefined ? 200 : record.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    return { ok: false, problem: `status must be a whole number from 200 to 599, got ${JSON.stringify(status)?.slice(0, 40)}` };
  }
  const headers: Record<string, string> = {};
  if (record.headers !== undefined && record.headers !== null) {
    if (typeof record.headers !== 'object' || Array.isArray(record.headers))
      return { ok: false, problem: 'headers must be an object of header names and values' };
    for (const [name, raw] of Object.entries(record.headers as Record<string, unknown>)) {
      if (raw === undefined || raw === null) continue;
      const lower = name.toLowerCase();
      if (!TOKEN.test(name))
        return {
          ok: false,
          problem: `header name ${JSON.stringify(name.slice(0, 60))} is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~- only)`,
        };
      if (FORBIDDEN.has(lower) || lower.startsWith('access-control-'))
        return {
          ok: false,
          problem: `header "${name}" may not be set by an agent (Set-Cookie, Content-Length, Transfer-Encoding, Connection, Upgrade, Keep-Alive, Trailer, Strict-Transport-Security, Content-Security-Policy and Access-Control-* are refused)`,
        };
      if (typeof raw === 'object') return { ok: false, problem: `header "${name}" must be text, a number or a boolean` };
      const text = String(raw);
      if (CONTROL.test(text)) return { ok: false, problem: `header "${name}" contains CR, LF or another control character` };
      headers[name] = text;
    }
  }
  return { ok: true, answer: { status, headers, body: record.body ?? null } };
}
