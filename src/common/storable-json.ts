// What Postgres `jsonb` (and `text`) cannot hold, found before a write tries: U+0000 in any string or key,
// an unpaired UTF-16 surrogate (JSON.stringify writes it as `\udxxx`, which jsonb refuses), and nesting
// deeper than `limits.max_json_depth`. One pure function, used by the request body check (400) and by
// both runners on every yielded value (VALUE_NOT_STORABLE), so a value that passes is one the store holds.

export type UnstorableReason = 'nul' | 'surrogate' | 'depth' | 'cycle';

export interface UnstorableValue {
  /** JSON Pointer of the offending string, key or container ('' is the whole value). */
  pointer: string;
  reason: UnstorableReason;
}

// U+0000 or any surrogate half: the slow, exact look happens only when this matches.
const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The reason a string cannot be stored, or null. */
export function unstorableText(text: string): 'nul' | 'surrogate' | null {
  if (!SUSPECT.test(text)) return null;
  if (text.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(text) ? 'surrogate' : null;
}

/** `text` with U+0000 and unpaired surrogates replaced by U+FFFD: for messages that must be stored whatever they quote. */
export function storableText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(/\u0000/g, '\ufffd').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

/**
 * The first part of `value` that cannot be stored, or null. Depth counts containers: `1` and `"a"` are
 * depth 0, `{}` and `[]` depth 1, `{"a": []}` depth 2. The walk never goes deeper than `maxDepth + 1`.
 */
export function findUnstorable(value: unknown, maxDepth: number): UnstorableValue | null {
  // The hot path (every yield, every body) is a plain walk; pointers and the cycle check are built only
  // when it finds something (a cycle shows up there as nesting past the limit).
  if (isStorable(value, maxDepth, 0)) return null;
  return walk(value, maxDepth, 0, '', new Set());
}

function isStorable(value: unknown, maxDepth: number, depth: number): boolean {
  if (typeof value === 'string') return !SUSPECT.test(value) || unstorableText(value) === null;
  if (value === null || typeof value !== 'object') return true;
  if (depth >= maxDepth) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isStorable(value[i], maxDepth, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (SUSPECT.test(key) && unstorableText(key) !== null) return false;
    if (!isStorable((value as Record<string, unknown>)[key], maxDepth, depth + 1)) return false;
  }
  return true;
}

function walk(value: unknown, maxDepth: number, depth: number, pointer: string, above: Set<object>): UnstorableValue | null {
  if (typeof value === 'string') {
    const reason = unstorableText(value);
    return reason ? { pointer, reason } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (above.has(value)) return { pointer, reason: 'cycle' };
  if (depth + 1 > maxDepth) return { pointer, reason: 'depth' };
  above.add(value);
  let found: UnstorableValue | null = null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !found; i++) found = walk(value[i], maxDepth, depth + 1, `${pointer}/${i}`, above);
  } else {
    for (const key of Object.keys(value)) {
      const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      const keyReason = unstorableText(key);
      found = keyReason ? { pointer: at, reason: keyReason } : walk((value as Record<string, unknown>)[key], maxDepth, depth + 1, at, above);
      if (found) break;
    }
  }
  above.delete(value);
  return found;
}

/** A pointer short enough for a message (deep ones are cut in the middle). */
export function showPointer(pointer: string): string {
  return pointer.length <= 120 ? pointer : `${pointer.slice(0, 60)}...${pointer.slice(-50)}`;
}

/** What is wrong, in words a person can act on (the caller adds where). */
export function describeUnstorable(found: UnstorableValue, maxDepth: number): string {
  switch (found.reason) {
    case 'nul':
      return 'contains the character U+0000 (NUL), which cannot be stored; remove it (binary data belongs in base64)';
    case 'surrogate':
      return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode and cannot be stored; send valid text';
    case 'depth':
      return `is nested deeper than limits.max_json_depth (${maxDepth} levels); flatten it`;
    case 'cycle':
      return 'refers to itself (a cycle), which JSON cannot hold';
  }
}
