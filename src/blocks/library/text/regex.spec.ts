import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { conditionBlock } from '../logic/logic.condition.js';
import { regexProblem } from './regex.js';
import { matchBlock } from './text.match.js';
import { replaceBlock } from './text.replace.js';
import { splitBlock } from './text.split.js';

const CATASTROPHIC = { pattern: '^(a+)+$', text: `${'a'.repeat(5000)}!` };

describe('regular expressions (RE2 semantics)', () => {
  it('match a pattern with nested quantifiers in linear time, with the right answer', async () => {
    expect(await run(matchBlock, CATASTROPHIC)).toEqual([
      ['matched', false],
      ['negative', CATASTROPHIC.text],
    ]);
    expect((await run(replaceBlock, { text: CATASTROPHIC.text, pattern: '(a+)+b', replacement: 'x', regex: true }))[0]).toEqual(['text', CATASTROPHIC.text]);
    expect(await run(splitBlock, { text: CATASTROPHIC.text, separator: '(a|aa)+c', regex: true })).toEqual([['parts', [CATASTROPHIC.text]]]);
    expect(await run(conditionBlock, { left: CATASTROPHIC.text, operator: 'matches', right: CATASTROPHIC.pattern })).toEqual([
      ['result', false],
      ['no', CATASTROPHIC.text],
    ]);
    // A backtracking engine needs 2^5000 steps for each of these: it would never answer, and jest's timeout
    // fails the test. No wall-clock bound here (speed belongs in the bench, not in a unit test).
  });

  it.each([
    ['(a)\\1', 'uses a backreference "\\1"'],
    ['(?<x>a)\\k<x>', 'uses a named backreference "\\k<name>"'],
    ['a(?=b)', 'uses a lookahead "(?=...)"'],
    ['a(?!b)', 'uses a negative lookahead "(?!...)"'],
    ['(?<=a)b', 'uses a lookbehind "(?<=...)"'],
    ['(?<!a)b', 'uses a negative lookbehind "(?<!...)"'],
  ])('refuses %s, naming the feature RE2 cannot express', (pattern, feature) => {
    expect(regexProblem(pattern)).toBe(
      `${feature}, which RE2 regular expressions (matched in linear time) cannot express; rewrite the pattern without it, for example capture the surrounding text with a group`,
    );
  });

  it('reads escaped look-alikes and character classes literally', () => {
    expect(regexProblem('\\(?=x')).toBeNull();
    expect(regexProblem('[(?=]x')).toBeNull();
    expect(regexProblem('[]1]\\\\1')).toBeNull();
  });

  it('refuses the pattern on every block that takes one, at the pin, when the pattern is a regex', async () => {
    const backreference = /uses a backreference "\\1", which RE2 regular expressions/;
    expect((await runError(matchBlock, { text: 'aa', pattern: '(a)\\1' })).message).toMatch(new RegExp(`pattern: ${backreference.source}`));
    expect((await runError(replaceBlock, { text: 'aa', pattern: '(a)\\1', regex: true })).message).toMatch(new RegExp(`pattern: ${backreference.source}`));
    expect((await runError(splitBlock, { text: 'aa', separator: '(a)\\1', regex: true })).message).toMatch(new RegExp(`separator: ${backreference.source}`));
    expect((await runError(conditionBlock, { left: 'aa', operator: 'matches', right: '(a)\\1' })).message).toMatch(
      new RegExp(`right: ${backreference.source}`),
    );
    // Literal text is not a pattern: the same characters are fine without regex: true, or with another operator.
    expect(await run(replaceBlock, { text: 'x(a)\\1', pattern: '(a)\\1', replacement: '-' })).toEqual([['text', 'x-']]);
    expect(await run(splitBlock, { text: 'x(y', separator: '(' })).toEqual([['parts', ['x', 'y']]]);
    expect((await run(conditionBlock, { left: '(a)\\1', operator: '==', right: '(a)\\1' }))[0]).toEqual(['result', true]);
  });

  it('keeps JavaScript habits that RE2 can express: \\u escapes, named groups, $ references', async () => {
    expect((await run(matchBlock, { text: 'café', pattern: 'caf\\u00e9' }))[0]).toEqual(['matched', true]);
    expect((await run(matchBlock, { text: '2024-05', pattern: '(?<year>\\d{4})-(?<month>\\d{2})' }))[1]).toEqual([
      'groups',
      { '0': '2024-05', '1': '2024', '2': '05', year: '2024', month: '05' },
    ]);
    expect(await run(replaceBlock, { text: 'John Smith', pattern: '(?<first>\\w+) (\\w+)', replacement: '$2, $<first> ($&) $$', regex: true })).toEqual([
      ['text', 'Smith, John (John Smith) $'],
    ]);
    expect(await run(replaceBlock, { text: 'a1 a2', pattern: 'a(\\d)', replacement: 'b$1', regex: true, all: false })).toEqual([['text', 'b1 a2']]);
    expect(await run(splitBlock, { text: 'x😀1y😀22z', separator: '\\d+', regex: true })).toEqual([['parts', ['x😀', 'y😀', 'z']]]);
  });
});
