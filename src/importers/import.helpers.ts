// Small rules every importer shares: agent and node names slugged to the agent format's patterns,
// credential-like fields recognised (their values are never written), and `${{` in carried constants
// escaped as `$${{` so that text never becomes an expression (release-2.md section 5).

const AGENT_NAME = /^[a-z][a-z0-9-]{1,62}$/;

/** A source name as an agent name (`^[a-z][a-z0-9-]{1,62}$`): `Greeting card` -> `greeting-card`. */
export function agentNameOf(text: string, fallback: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (AGENT_NAME.test(slug)) return slug;
  return AGENT_NAME.test(fallback) ? fallback : 'imported-agent';
}

/** Unique node ids (`^[a-z][a-z0-9_]{0,62}$`) from free names. */
export class NodeIds {
  private readonly used = new Set<string>();

  take(name: string): string {
    let base = name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^[^a-z]+/, '')
      .replace(/_+$/, '')
      .slice(0, 56);
    if (!base) base = 'node';
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    return id;
  }
}

const CREDENTIAL_LIKE = /(api[_-]?key|apikey|token|secret|password|passwd|authorization|credential|private[_-]?key|x-api-key|cookie)/i;

/** True for a field or header name that carries a secret. */
export function isCredentialLike(name: string): boolean {
  return CREDENTIAL_LIKE.test(name);
}

/** A constant as it may be written: every `${{` in text becomes `$${{`, recursively. */
export function escapeExpressions(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${{', () => '$${{');
  if (Array.isArray(value)) return value.map(escapeExpressions);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeExpressions(v)]));
  return value;
}

/**
 * A constant with its credential-like fields taken out (recursively); each one taken is passed to
 * `withheld` with its dotted path.
 */
export function withoutSecrets(value: unknown, path: string, withheld: (field: string) => void): unknown {
  if (Array.isArray(value)) return value.map((item, index) => withoutSecrets(item, `${path}.${index}`, withheld));
  if (value && typeof value === 'object') {
    const kept: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (isCredentialLike(key) && inner !== '' && inner !== null && inner !== undefined) withheld(`${path}.${key}`);
      else kept[key] = withoutSecrets(inner, `${path}.${key}`, withheld);
    }
    return kept;
  }
  return value;
}

/** A credential name from a source's credential label (`OpenAi account` -> `openai-account`). */
export function credentialNameOf(label: string | undefined, fallback: string): string {
  const slug = (label ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || fallback;
}
