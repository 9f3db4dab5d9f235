// "Did you mean ...?" for block ids and pin names: the known names closest to what was typed.

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `limit` known names close to `typed` (small edit distance, or one contains the other), closest first. */
export function closeMatches(typed: string, known: Iterable<string>, limit = 3): string[] {
  const needle = typed.toLowerCase();
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of known) {
    const lower = name.toLowerCase();
    const distance = editDistance(needle, lower);
    const threshold = Math.max(2, Math.floor(needle.length / 4));
    if (distance <= threshold) scored.push({ name, score: distance });
    else if (needle.length >= 3 && (lower.includes(needle) || needle.includes(lower))) scored.push({ name, score: threshold + 1 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** ` Did you mean a or b?`, or nothing. */
export function didYouMean(typed: string, known: Iterable<string>): string {
  const matches = closeMatches(typed, known);
  if (!matches.length) return '';
  return ` Did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?`;
}
