// The link grammar: `"a.out -> b.in"`, source paths `a.out.k1.k2` / `a.out.0`, sink keys `b.in.key`.
import type { LinkDefinition } from './graph.types.js';

/** Node ids and pin names. */
export const ID_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/** Agent names. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;

export type LinkSource = LinkDefinition['from'];
export type LinkSink = LinkDefinition['to'];

export type Parsed<T> = { ok: T } | { error: string };

const ARROW = /^(.*?)\s*->\s*(.*)$/;

/** Splits `"a.out -> b.in"` into its two ends. */
export function splitLinkText(text: string): Parsed<{ from: string; to: string }> {
  const match = ARROW.exec(text.trim());
  if (!match || !match[1] || !match[2]) {
    return { error: `a link is written "node.pin -> node.pin" (for example "fetch.body -> parse.text"), got "${text}"` };
  }
  return { ok: { from: match[1], to: match[2] } };
}

/** `a.out`, `a.out.k1.k2`, `a.out.0`. */
export function parseSource(text: string): Parsed<LinkSource> {
  const parts = text.trim().split('.');
  const head = checkEnd(parts, text, 'source');
  if ('error' in head) return head;
  const path = parts.slice(2);
  if (path.some((part) => part === '' || /\s/.test(part))) {
    return { error: `the key path in "${text}" has an empty or spaced key; write node.pin.key.key` };
  }
  return { ok: { ...head.ok, path } };
}

/** `b.in` or `b.in.key` (one key of a dict-typed pin). */
export function parseSink(text: string): Parsed<LinkSink> {
  const parts = text.trim().split('.');
  const head = checkEnd(parts, text, 'target');
  if ('error' in head) return head;
  if (parts.length > 3) {
    return { error: `a link target sets a whole pin (node.pin) or one key of it (node.pin.key), not a deeper path: "${text}"` };
  }
  const key = parts[2];
  if (key !== undefined && (key === '' || /\s/.test(key))) return { error: `the key in "${text}" is empty or has spaces` };
  return { ok: key !== undefined ? { ...head.ok, key } : head.ok };
}

function checkEnd(parts: string[], text: string, side: 'source' | 'target'): Parsed<{ node: string; pin: string }> {
  const [node, pin] = parts;
  if (node === undefined || pin === undefined || parts.length < 2) {
    return { error: `the link ${side} "${text}" must name a node and a pin, as node.pin` };
  }
  if (!ID_PATTERN.test(node)) return { error: `"${node}" in "${text}" is not a valid node id (lower-case letters, digits and _, starting with a letter)` };
  if (!ID_PATTERN.test(pin)) return { error: `"${pin}" in "${text}" is not a valid pin name (lower-case letters, digits and _, starting with a letter)` };
  return { ok: { node, pin } };
}

export function formatSource(end: LinkSource): string {
  return [end.node, end.pin, ...end.path].join('.');
}

export function formatSink(end: LinkSink): string {
  return [end.node, end.pin, ...(end.key !== undefined ? [end.key] : [])].join('.');
}

export function formatLink(link: LinkDefinition): string {
  return `${formatSource(link.from)} -> ${formatSink(link.to)}`;
}
