// `list.iterate`: yields `count`, then `item` and `key` once per element of a list (key: index) or of an
// object (key: property). Streaming: each yield is delivered at once, so the rest of the graph works on
// early elements while later ones are still coming.
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, Type } from '../../pins.js';

export const listIterateBlock = defineBlock({
  id: 'list.iterate',
  description:
    'Yields count (the number of elements) first, then item and key once per element: for a list the key is the index, for an object the property name. Streaming: each element is delivered at once.',
  category: 'data',
  streaming: true,
  inputs: {
    items: Type.Union([Type.Array(anyValue()), dict(anyValue())], { description: 'A list or an object.', 'x-expected': 'a list or an object' }),
  },
  outputs: {
    count: Type.Integer({ minimum: 0, description: 'How many elements follow.' }),
    item: anyValue({ description: 'One element.' }),
    key: Type.Union([Type.Integer({ minimum: 0 }), Type.String()], { description: 'Its index (lists) or property name (objects).' }),
  },
  cost: 0,
  async *run(inputs, context) {
    const entries: Array<[number | string, unknown]> = Array.isArray(inputs.items)
      ? inputs.items.map((item, index) => [index, item])
      : Object.entries(inputs.items);
    yield ['count', entries.length] as const;
    for (const [key, item] of entries) {
      if (context.signal.aborted) throw new BlockError(BlockErrorCode.CANCELLED, 'list.iterate was stopped.');
      yield ['item', item] as const;
      yield ['key', key] as const;
    }
  },
});
