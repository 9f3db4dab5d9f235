import { describe, expect, it } from '@jest/globals';
import { closeMatches, didYouMean, editDistance } from './close-matches.js';

describe('close matches', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the closest names first, and substrings', () => {
    const known = ['text.template', 'text.match', 'text.split', 'json.query', 'json.parse'];
    expect(closeMatches('text.templat', known)).toEqual(['text.template']);
    expect(closeMatches('json.qeury', known)[0]).toBe('json.query');
    expect(closeMatches('template', known)).toEqual(['text.template']);
    expect(closeMatches('zzz', known)).toEqual([]);
  });

  it('says "Did you mean" only when something is close', () => {
    expect(didYouMean('vlaues', ['values', 'template'])).toBe(' Did you mean "values"?');
    expect(didYouMean('qqqqqq', ['values'])).toBe('');
  });
});
