// Where a credential may be sent: its `hosts` entries, each an exact host name or `*.example.com` (one or
// more labels under it), over https on port 443 unless the entry says `http://` or a port
// (`http://ollama.internal:11434`, `api.example.com:8443`). Pure: parsed and matched here, enforced by
// the outbound client (credential-attach.ts).

export interface HostRule {
  scheme: 'http:' | 'https:';
  /** Lower-case host name, IP address, or `[v6]`; for a wildcard the suffix after `*.`. */
  host: string;
  wildcard: boolean;
  port: number;
}

const ENTRY = /^(?:(https?):\/\/)?(\*\.)?([^/:?#@\s]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?\/?$/;
const LABELS = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** One `hosts` entry, or the reason it is not one. */
export function parseHostEntry(entry: string): HostRule | { error: string } {
  const match = ENTRY.exec(entry.trim());
  if (!match) return { error: `"${entry}" is not a host: write a name such as api.example.com, *.example.com, http://host:8080 or host:8443 (no path)` };
  const [, scheme, star, rawHost, rawPort] = match;
  const host = rawHost!.toLowerCase();
  if (!host.startsWith('[') && !LABELS.test(host)) return { error: `"${entry}" is not a host name` };
  if (star && (host.startsWith('[') || !host.includes('.')))
    return { error: `"${entry}": a wildcard needs a domain with a dot under it, such as *.example.com` };
  const secure = scheme !== 'http';
  const port = rawPort === undefined ? (secure ? 443 : 80) : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `"${entry}": the port must be 1-65535` };
  return { scheme: secure ? 'https:' : 'http:', host, wildcard: star !== undefined, port };
}

/** The `hosts` entry a base URL implies (its own scheme, host and port): `https://api.openai.com/v1` -> `api.openai.com`. */
export function hostEntryOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  // URL leaves `port` empty for the scheme's default port.
  const scheme = parsed.protocol === 'https:' ? '' : 'http://';
  const port = parsed.port ? `:${parsed.port}` : '';
  return `${scheme}${parsed.hostname.toLowerCase()}${port}`;
}

/** True when `url` goes to one of `hosts` (scheme, host and port all match). */
export function urlMatchesHosts(url: URL, hosts: readonly string[]): boolean {
  const scheme = url.protocol;
  const port = Number(url.port || (scheme === 'https:' ? 443 : 80));
  const host = url.hostname.toLowerCase();
  return hosts.some((entry) => {
    const rule = parseHostEntry(entry);
    if ('error' in rule || rule.scheme !== scheme || rule.port !== port) return false;
    return rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
  });
}
