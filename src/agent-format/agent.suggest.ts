// "Did you mean ...?" for misspelt keys, block ids, pins and node ids, or the list of what is known.
import { didYouMean } from '../blocks/close-matches.js';

/** ` Did you mean "x"?`, else ` Known: a, b, c.` (at most `limit` listed), for the end of a message. */
export function suggestion(word: string, candidates: readonly string[], noun = 'known', limit = 12): string {
  const near = didYouMean(word, candidates);
  if (near) return near;
  if (candidates.length === 0) return '';
  const listed = candidates.slice(0, limit).join(', ');
  return ` ${noun[0]!.toUpperCase()}${noun.slice(1)}: ${listed}${candidates.length > limit ? `, ... (${candidates.length} in all)` : ''}.`;
}
