// Regular expressions from inputs: compiled with a message that names the pin, and cached (patterns are
// usually constants of a node, reused on every run).
import { invalidPin } from '../../blocks.errors.js';

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 500;

/** A RegExp for `pattern` with `flags` (duplicates removed), or INVALID_INPUT naming `pin`. */
export function compileRegex(blockId: string, pin: string, pattern: string, flags: string): RegExp {
  const uniqueFlags = [...new Set(flags)].join('');
  const key = `${uniqueFlags}/${pattern}`;
  const cached = cache.get(key);
  if (cached) {
    cached.lastIndex = 0;
    return cached;
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, uniqueFlags);
  } catch (error) {
    throw invalidPin(blockId, pin, `is not a valid regular expression: ${(error as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, regex);
  return regex;
}
