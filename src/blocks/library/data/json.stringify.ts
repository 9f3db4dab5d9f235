// `json.stringify`: a value as JSON text, compact or indented.
import { anyValue, defineBlock, Type, withDefault } from '../../pins.js';

export const jsonStringifyBlock = defineBlock({
  id: 'json.stringify',
  description: 'Writes a value as JSON text: compact, or indented by `indent` spaces.',
  category: 'data',
  inputs: {
    value: anyValue({ description: 'The value to write.' }),
    indent: withDefault(Type.Integer({ minimum: 0, maximum: 10, description: 'Spaces per level (0: one compact line).' }), 0),
  },
  outputs: {
    text: Type.String({ description: 'The JSON text.' }),
  },
  cost: 0,
  async *run(inputs) {
    yield ['text', JSON.stringify(inputs.value ?? null, null, inputs.indent || undefined)] as const;
  },
});
