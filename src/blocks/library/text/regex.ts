// Regular expressions from inputs, with RE2 semantics: matching takes time linear in the text whatever the
// pattern (no catastrophic backtracking on the main thread). A pattern RE2 cannot express (a backreference,
// a lookaround) is refused with a message naming the feature. Compiled patterns are cached (patterns are
// usually constants of a node, reused on every run), and the `regex` pin format checks them, so agent
// validation (line:col of the constant) and a pattern arriving on a pin give the same message.
import { RE2JS } from 're2js';
import { invalidPin } from '../../blocks.errors.js';

export type Regex = RE2JS;

const cache = new Map<string, RE2JS | string>();
const CACHE_LIMIT = 500;
const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/** Features of JavaScript patterns that RE2 cannot express, by how they are written. */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/^\(\?=/, 'a lookahead "(?=...)"'],
  [/^\(\?!/, 'a negative lookahead "(?!...)"'],
  [/^\(\?<=/, 'a lookbehind "(?<=...)"'],
  [/^\(\?<!/, 'a negative lookbehind "(?<!...)"'],
  [/^\(\?>/, 'an atomic group "(?>...)"'],
  [/^\\[1-9]/, 'a backreference'],
  [/^\\k</, 'a named backreference "\\k<name>"'],
];

/**
 * The pattern in RE2 syntax, or why it cannot be: JavaScript's `\uXXXX` and `\u{X}` become `\x{X}`; a
 * feature RE2 lacks is named.
 */
function toRe2(pattern: string): { source: string } | { problem: string } {
  let source = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const rest = pattern.slice(i, i + 8);
    if (char === '\\') {
      const unicode = /^\\u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]{1,6})\})/.exec(rest);
      if (unicode) {
        source += `\\x{${unicode[1] ?? unicode[2]}}`;
        i += unicode[0].length - 1;
        continue;
      }
      if (!inClass) {
        const feature = UNSUPPORTED.find(([written]) => written.test(rest));
        if (feature) return { problem: `uses ${feature[1] === 'a backreference' ? `a backreference "${/^\\\d+/.exec(rest)![0]}"` : feature[1]}` };
      }
      source += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal member.
      const start = pattern[i + 1] === '^' ? i + 2 : i + 1;
      if (pattern[start] === ']') {
        source += pattern.slice(i, start + 1);
        i = start;
        continue;
      }
    } else if (char === '(') {
      const feature = UNSUPPORTED.find(([written]) => written.test(rest));
      if (feature) return { problem: `uses ${feature[1]}` };
    }
    source += char;
  }
  return { source };
}

function compile(pattern: string, flags: string): RE2JS | string {
  const key = `${flags}/${pattern}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let result: RE2JS | string;
  const translated = toRe2(pattern);
  if ('problem' in translated) {
    result = `${translated.problem}, which RE2 regular expressions (matched in linear time) cannot express; rewrite the pattern without it, for example capture the surrounding text with a group`;
  } else {
    try {
      result = RE2JS.compile(
        translated.source,
        [...flags].reduce((bits, flag) => bits | (FLAG_BITS[flag] ?? 0), 0),
      );
    } catch (error) {
      result = `is not a valid RE2 regular expression: ${(error as Error).message.replace(/^error parsing regexp: /, '')}`;
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

/** Why `pattern` is not a usable regular expression, or null (the `regex` pin format). */
export function regexProblem(pattern: string): string | null {
  const compiled = compile(pattern, '');
  return typeof compiled === 'string' ? compiled : null;
}

/** An RE2 pattern for `pattern` with `flags` (any of i, m, s), or INVALID_INPUT naming `pin`. */
export function compileRegex(blockId: string, pin: string, pattern: string, flags: string): Regex {
  const compiled = compile(pattern, [...new Set(flags)].sort().join(''));
  if (typeof compiled === 'string') throw invalidPin(blockId, pin, compiled);
  return compiled;
}

/** Every match of `regex` in `text`, in order, with its position (empty matches advance by one). */
export function* allMatches(regex: Regex, text: string): Generator<RegExpExecArray> {
  yield* regex.matchAll(text) as IterableIterator<RegExpExecArray>;
}

/** An input rule: `pin` must be a valid pattern when `when` holds a constant value (`regex: true`, `operator: matches`). */
export function regexPinWhen(pin: string, when: { pin: string; value: unknown }): Record<string, unknown> {
  return {
    if: { required: [when.pin], properties: { [when.pin]: { const: when.value } } },
    then: { properties: { [pin]: { format: 'regex' } } },
  };
}
