// `text.join`: joins a list into one text. Text items stay as they are, numbers and booleans are
// written out, null is empty, and objects and lists are written as JSON.
import { anyValue, defineBlock, Type, withDefault } from '../../pins.js';

export const joinBlock = defineBlock({
  id: 'text.join',
  description: 'Joins `items` into one text with `separator` between them. Numbers and booleans are written out, null as nothing, objects and lists as JSON.',
  category: 'text',
  inputs: {
    items: Type.Array(anyValue(), { description: 'The items to join.' }),
    separator: withDefault(Type.String({ description: 'Put between items.' }), ','),
  },
  outputs: {
    text: Type.String({ description: 'The joined text.' }),
  },
  cost: 0,
  async *run(inputs) {
    yield ['text', inputs.items.map(asText).join(inputs.separator)] as const;
  },
});

function asText(item: unknown): string {
  if (item === null || item === undefined) return '';
  if (typeof item === 'object') return JSON.stringify(item);
  return String(item);
}
