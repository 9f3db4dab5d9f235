// `output`: a graph output. It yields nothing: the engine collects every value reaching its `value` pin
// into the execution's results under its name.
import { anyValue, defineBlock, PIN_NAME, Type } from '../../pins.js';

export const outputBlock = defineBlock({
  id: 'output',
  description: "A graph output: every value that reaches `value` is collected into the execution's results as { <name>: [values in order] }.",
  category: 'io',
  inputs: {
    name: Type.String({
      pattern: PIN_NAME.source,
      description: "The output's name in the results, unique in the agent.",
      'x-expected': 'a name of lower-case letters, digits and _ (starting with a letter)',
    }),
    value: anyValue({ description: 'The value to collect.' }),
  },
  outputs: {},
  cost: 0,
  async *run() {
    // Nothing to do: results are what arrives here.
  },
});
