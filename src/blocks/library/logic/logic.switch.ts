// `logic.switch`: routes `value` to the output pin of the first case equal to it (deep equality), or to
// `default`. Each key of `cases` is an output pin of the node (dynamic outputs).
import { anyValue, defineBlock, dict, dynamicPin, PIN_NAME } from '../../pins.js';
import { deepEqual } from './deep-equal.js';
import { DYNAMIC_OUTPUTS } from '../dynamic-outputs.js';

export const switchBlock = defineBlock({
  id: 'logic.switch',
  description:
    'Yields value on the pin of the first case whose value equals it (deep equality), else on default. Each key of cases becomes an output pin: cases: { bug: "bug", feature: "enhancement" } gives pins bug and feature.',
  category: 'logic',
  inputs: {
    value: anyValue({ description: 'The value to route.' }),
    cases: dict(anyValue(), {
      minProperties: 1,
      propertyNames: {
        pattern: PIN_NAME.source,
        not: { enum: ['default', 'error'] },
        'x-expected': 'case names of lower-case letters, digits and _ (starting with a letter), other than default and error',
      },
      description: 'Constant: output pin -> the value that routes to it, tried in order.',
    }),
  },
  outputs: {
    default: anyValue({ description: 'The value, when no case equals it.' }),
  },
  yields: { sometimes: ['default'], dynamic: 'sometimes' },
  cost: 0,
  dynamicOutputs: DYNAMIC_OUTPUTS['logic.switch'],
  async *run(inputs) {
    for (const [pin, caseValue] of Object.entries(inputs.cases)) {
      if (deepEqual(inputs.value, caseValue)) {
        yield [dynamicPin(pin), inputs.value] as const;
        return;
      }
    }
    yield ['default', inputs.value] as const;
  },
});
