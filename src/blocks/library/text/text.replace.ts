// `text.replace`: replaces literal text (or a regular expression, with $1-style references in the
// replacement) in text, every occurrence or the first only.
import { defineBlock, Type, withDefault } from '../../pins.js';
import { compileRegex, regexPinWhen } from './regex.js';

export const replaceBlock = defineBlock({
  id: 'text.replace',
  description:
    'Replaces `pattern` in `text` with `replacement`: literal text by default, or an RE2 regular expression (linear time: no backreferences or lookarounds) with regex: true (then $1, $<name> and $& in the replacement refer to the match). Every occurrence, or the first only with all: false.',
  category: 'text',
  inputs: {
    text: Type.String({ description: 'The text to change.' }),
    pattern: Type.String({ minLength: 1, description: 'What to replace: literal text, or a pattern with regex: true.', 'x-expected': 'non-empty text' }),
    replacement: withDefault(Type.String({ description: 'What to put instead (empty: remove).' }), ''),
    regex: withDefault(Type.Boolean({ description: 'Read pattern as a regular expression.' }), false),
    all: withDefault(Type.Boolean({ description: 'Replace every occurrence (true) or the first only.' }), true),
  },
  outputs: {
    text: Type.String({ description: 'The text after replacing.' }),
  },
  inputRules: [regexPinWhen('pattern', { pin: 'regex', value: true })],
  cost: 0,
  async *run(inputs) {
    const { text, pattern, replacement } = inputs;
    if (inputs.regex) {
      const matcher = compileRegex('text.replace', 'pattern', pattern, '').matcher(text);
      yield ['text', inputs.all ? matcher.replaceAll(replacement) : matcher.replaceFirst(replacement)] as const;
    } else {
      // A function replacer keeps `$` in the replacement literal.
      yield ['text', inputs.all ? text.split(pattern).join(replacement) : text.replace(pattern, () => replacement)] as const;
    }
  },
});
