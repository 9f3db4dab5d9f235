import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { matchBlock } from './text.match.js';

describe('text.match', () => {
  it('yields matched, the groups by index and name, and the text on positive', async () => {
    expect(await run(matchBlock, { text: 'fix(api): handle nulls', pattern: '^(?<type>\\w+)\\((\\w+)\\)' })).toEqual([
      ['matched', true],
      ['groups', { '0': 'fix(api)', '1': 'fix', '2': 'api', type: 'fix' }],
      ['positive', 'fix(api): handle nulls'],
    ]);
  });

  it('yields the text on negative when nothing matched', async () => {
    expect(await run(matchBlock, { text: 'chore: bump', pattern: '^fix' })).toEqual([
      ['matched', false],
      ['negative', 'chore: bump'],
    ]);
  });

  it('honours flags, and lists every match with g', async () => {
    expect(await run(matchBlock, { text: 'A1 b22 C333', pattern: '[a-z](\\d+)', flags: 'gi' })).toEqual([
      ['matched', true],
      ['groups', { '0': 'A1', '1': '1' }],
      ['matches', ['A1', 'b22', 'C333']],
      ['positive', 'A1 b22 C333'],
    ]);
    expect(await run(matchBlock, { text: 'none', pattern: '\\d', flags: 'g' })).toEqual([
      ['matched', false],
      ['matches', []],
      ['negative', 'none'],
    ]);
    expect((await run(matchBlock, { text: 'a\nb', pattern: 'a.b', flags: 's' }))[0]).toEqual(['matched', true]);
  });

  it('leaves out groups that did not take part', async () => {
    expect((await run(matchBlock, { text: 'ab', pattern: '(a)(x)?(b)' }))[1]).toEqual(['groups', { '0': 'ab', '1': 'a', '3': 'b' }]);
  });

  it('refuses bad patterns and flags, naming the pin', async () => {
    const error = await runError(matchBlock, { text: 'x', pattern: '([a-z' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('pattern: is not a valid RE2 regular expression');
    expect((await runError(matchBlock, { text: 'x', pattern: 'x', flags: 'y' })).message).toContain(
      'flags: expected flags among i, m, s and g, got the text "y"',
    );
    expect((await runError(matchBlock, { pattern: 'x' })).message).toContain('text: is required');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(matchBlock, { text: 'x', pattern: 'x' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
