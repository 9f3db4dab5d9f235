// `text.match`: tests a regular expression against text. Yields whether it matched, the first match's
// groups (by index and by name), every match with the `g` flag, and the text on `positive` or `negative`
// so that a graph can branch on the result.
import { defineBlock, dict, Type, withDefault } from '../../pins.js';
import { allMatches, compileRegex } from './regex.js';

export const matchBlock = defineBlock({
  id: 'text.match',
  description:
    'Tests the regular expression `pattern` (RE2 syntax, matched in linear time: no backreferences or lookarounds) against `text`. Yields matched, groups of the first match ({"0": whole match, "1": first group, name: named group}), matches (every whole match, with the g flag), and the text on positive when it matched or negative when not.',
  category: 'text',
  inputs: {
    text: Type.String({ description: 'The text to search.' }),
    pattern: Type.String({ format: 'regex', description: 'An RE2 regular expression, without slashes, such as "^fix(\\\\(.+\\\\))?:".' }),
    flags: withDefault(
      Type.String({
        pattern: '^[imsg]*$',
        description: 'Any of i (ignore case), m (multi-line ^ and $), s (. matches newlines), g (find every match).',
        'x-expected': 'flags among i, m, s and g',
      }),
      '',
    ),
  },
  outputs: {
    matched: Type.Boolean({ description: 'Whether the pattern matched.' }),
    groups: dict(Type.String(), {
      description: 'The first match: "0" the whole match, "1"... its groups, and named groups by name (groups that took part only).',
    }),
    matches: Type.Array(Type.String(), { description: 'With the g flag: every whole match, in order (an empty list when none).' }),
    positive: Type.String({ description: 'The text, when the pattern matched.' }),
    negative: Type.String({ description: 'The text, when it did not.' }),
  },
  yields: { sometimes: ['groups', 'matches', 'positive', 'negative'] },
  cost: 0,
  async *run(inputs) {
    const global = inputs.flags.includes('g');
    const regex = compileRegex('text.match', 'pattern', inputs.pattern, inputs.flags.replace('g', ''));
    const first = regex.exec(inputs.text) as RegExpExecArray | null;
    yield ['matched', first !== null] as const;
    if (first) {
      const groups: Record<string, string> = {};
      first.forEach((value: string | undefined, index) => {
        if (value !== undefined) groups[String(index)] = value;
      });
      for (const [name, value] of Object.entries(first.groups ?? {})) {
        if (value !== undefined) groups[name] = value;
      }
      yield ['groups', groups] as const;
    }
    if (global) {
      yield ['matches', [...allMatches(regex, inputs.text)].map((m) => m[0])] as const;
    }
    if (first) yield ['positive', inputs.text] as const;
    else yield ['negative', inputs.text] as const;
  },
});
