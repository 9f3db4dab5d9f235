// n8n expressions (`={{ $json.a.b }}`, `$node["X"].json.a`, `$('X').item.json.a`) carried as links: an
// n8n item is what a node passes on; here it is one or more pins (a webhook's body, headers and query),
// so a reference resolves to `node.pin.key...` when the path starts at one of them. A text with embedded
// references becomes a text.template node; anything else is reported, never guessed.

/** Where the fields of an n8n item come from here: the first alternative whose prefix starts the path. */
export type ItemSource = Array<{ ref: string; prefix: string[] }>;

export interface ExpressionScope {
  /** The item this node receives on its main input, when it has exactly one. */
  input: ItemSource | null;
  /** Items of other nodes by n8n name (their first output), for `$node["X"]` and `$('X')`. */
  named(name: string): ItemSource | null;
}

const KEY = /^[A-Za-z0-9_]+$/;

/** The path of a reference (`$json.a["b"][0]`), with the node it names (null: the input item). */
export function parseReference(text: string): { node: string | null; path: string[] } | null {
  const trimmed = text.trim();
  let rest: string;
  let node: string | null = null;
  let match: RegExpExecArray | null;
  if ((match = /^\$json\b/.exec(trimmed))) rest = trimmed.slice(match[0].length);
  else if ((match = /^\$node\[\s*(["'])(.+?)\1\s*\]\.(?:json|data)\b/.exec(trimmed))) {
    node = match[2]!;
    rest = trimmed.slice(match[0].length);
  } else if ((match = /^\$\(\s*(["'])(.+?)\1\s*\)\.(?:item|first\(\)|last\(\))\.json\b/.exec(trimmed))) {
    node = match[2]!;
    rest = trimmed.slice(match[0].length);
  } else return null;
  const path: string[] = [];
  const segment = /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(["'])(.*?)\2\s*\]|\[(\d+)\])/;
  while (rest.length) {
    const part = segment.exec(rest);
    if (!part) return null;
    path.push(part[1] ?? part[3] ?? part[4]!);
    rest = rest.slice(part[0].length);
  }
  return { node, path };
}

/** `node.pin.key...` for a path into an item, or null when no alternative starts it. */
export function resolvePath(item: ItemSource, path: readonly string[]): string | null {
  for (const { ref, prefix } of item) {
    if (prefix.length > path.length || prefix.some((p, i) => p !== path[i])) continue;
    const rest = path.slice(prefix.length);
    if (!rest.every((k) => KEY.test(k))) return null;
    return [ref, ...rest.map((k) => (/^[A-Z]/.test(k) ? k : k))].join('.');
  }
  return null;
}

export function resolveReference(text: string, scope: ExpressionScope): string | null {
  const reference = parseReference(text);
  if (!reference) return null;
  const item = reference.node === null ? scope.input : scope.named(reference.node);
  return item ? resolvePath(item, reference.path) : null;
}

export type Converted =
  | { kind: 'constant'; value: unknown }
  | { kind: 'link'; from: string }
  | { kind: 'template'; template: string; values: Record<string, string> }
  | { kind: 'unconvertible'; expression: string };

const EMBEDDED = /\{\{([\s\S]*?)\}\}/g;

/** A parameter value: a constant, one reference (a link), text with references (a template), or unconvertible. */
export function convertParameter(value: unknown, scope: ExpressionScope): Converted {
  if (typeof value !== 'string' || !value.startsWith('=')) return { kind: 'constant', value };
  const text = value.slice(1);
  const whole = /^\s*\{\{([\s\S]*?)\}\}\s*$/.exec(text);
  if (whole) {
    const from = resolveReference(whole[1]!, scope);
    return from ? { kind: 'link', from } : { kind: 'unconvertible', expression: text.trim() };
  }
  const values: Record<string, string> = {};
  const names = new Map<string, string>();
  let failed: string | null = null;
  const template = text.replace(EMBEDDED, (_all, inner: string) => {
    const from = resolveReference(inner, scope);
    if (!from) {
      failed ??= `{{${inner}}}`;
      return '';
    }
    let name = names.get(from);
    if (!name) {
      name = `v${names.size + 1}`;
      names.set(from, name);
      values[name] = from;
    }
    return `{{ ${name} }}`;
  });
  if (failed) return { kind: 'unconvertible', expression: failed };
  if (names.size === 0) return { kind: 'constant', value: text };
  return { kind: 'template', template, values };
}

/** A JSONata path (backticked segments) for `from` relative to `data`'s ref, or null when it lies elsewhere. */
export function relativeJsonata(from: string, dataRef: string): string | null {
  if (from === dataRef) return '$';
  if (!from.startsWith(`${dataRef}.`)) return null;
  return from
    .slice(dataRef.length + 1)
    .split('.')
    .map((k) => (/^\d+$/.test(k) ? `[${k}]` : `\`${k}\``))
    .join('.')
    .replace(/\.\[/g, '[');
}
