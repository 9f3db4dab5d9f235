// `text.split`: splits text on a separator (literal text, or a regular expression with `regex: true`).
// With `limit`, at most that many parts: the last part keeps the rest of the text, unsplit.
import { defineBlock, optional, Type, withDefault } from '../../pins.js';
import { allMatches, compileRegex, regexPinWhen } from './regex.js';

export const splitBlock = defineBlock({
  id: 'text.split',
  description:
    'Splits `text` on `separator` (literal, or an RE2 regular expression with regex: true: linear time, no backreferences or lookarounds). With limit, yields at most that many parts, the last holding the rest of the text. An empty separator splits into characters.',
  category: 'text',
  inputs: {
    text: Type.String({ description: 'The text to split.' }),
    separator: withDefault(Type.String({ description: 'Where to split: literal text, or a pattern with regex: true.' }), ','),
    regex: withDefault(Type.Boolean({ description: 'Read separator as a regular expression.' }), false),
    limit: optional(Type.Integer({ minimum: 1, description: 'At most this many parts; the last keeps the rest.' })),
  },
  outputs: {
    parts: Type.Array(Type.String(), { description: 'The parts, in order.' }),
  },
  inputRules: [regexPinWhen('separator', { pin: 'regex', value: true })],
  cost: 0,
  async *run(inputs) {
    yield ['parts', split(inputs.text, inputs.separator, inputs.regex, inputs.limit)] as const;
  },
});

function split(text: string, separator: string, regex: boolean, limit?: number): string[] {
  if (!regex && separator === '') {
    const chars = Array.from(text);
    return limit && chars.length > limit ? [...chars.slice(0, limit - 1), chars.slice(limit - 1).join('')] : chars;
  }
  const cuts = regex ? regexCuts(text, separator) : literalCuts(text, separator);
  const parts: string[] = [];
  let start = 0;
  for (const [from, to] of cuts) {
    if (limit && parts.length === limit - 1) break;
    parts.push(text.slice(start, from));
    start = to;
  }
  parts.push(text.slice(start));
  return parts;
}

function* literalCuts(text: string, separator: string): Generator<[number, number]> {
  for (let at = text.indexOf(separator); at >= 0; at = text.indexOf(separator, at + separator.length)) {
    yield [at, at + separator.length];
  }
}

function* regexCuts(text: string, pattern: string): Generator<[number, number]> {
  const regex = compileRegex('text.split', 'separator', pattern, '');
  for (const match of allMatches(regex, text)) {
    // An empty match at the very start or end would make an empty part out of nothing.
    if (match[0] === '' && (match.index === 0 || match.index === text.length)) continue;
    yield [match.index, match.index + match[0].length];
  }
}
