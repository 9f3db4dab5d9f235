// Small helpers for reading HTTP answers, shared by the blocks that make requests.

/** Response headers as a plain record (lower-case names; repeated headers joined with ", "). */
export function headersRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = record[name] === undefined ? value : `${record[name]}, ${value}`;
  });
  return record;
}

/** application/json, application/problem+json, text/json... */
export function isJsonContentType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

export function parseJsonOrNull(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The URL without its query and credentials, for messages (a query may carry a token). */
export function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
