// `list.iterate`: yields `count`, then `item` and `key` once per element of a list (key: index) or of an
// object (key: property); with `batch_size`, `batch` (lists of up to N items) and `key` (the batch index)
// instead, `count` being the number of batches. Streaming: each yield is delivered at once, so the rest of
// the graph works on early elements while later ones are still coming.
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, optional, Type } from '../../pins.js';

export const listIterateBlock = defineBlock({
  id: 'list.iterate',
  description:
    'Yields count (the number of elements) first, then item and key once per element: for a list the key is the index, for an object the property name. With batch_size, yields batch (lists of up to batch_size items) and key (the batch index) instead, and count is the number of batches. Streaming: each element is delivered at once.',
  category: 'data',
  streaming: true,
  yields: { repeated: ['item', 'batch', 'key'] },
  inputs: {
    items: Type.Union([Type.Array(anyValue()), dict(anyValue())], { description: 'A list or an object.', 'x-expected': 'a list or an object' }),
    batch_size: optional(Type.Integer({ minimum: 1, description: 'Yield lists of up to this many items on batch, instead of one item at a time.' })),
  },
  outputs: {
    count: Type.Integer({ minimum: 0, description: 'How many elements follow.' }),
    item: anyValue({ description: 'One element.' }),
    batch: Type.Array(anyValue(), { description: 'With batch_size: up to batch_size elements, in order.' }),
    key: Type.Union([Type.Integer({ minimum: 0 }), Type.String()], {
      description: 'Its index (lists) or property name (objects); with batch_size, the batch index.',
    }),
  },
  cost: 0,
  async *run(inputs, context) {
    const entries: Array<[number | string, unknown]> = Array.isArray(inputs.items)
      ? inputs.items.map((item, index) => [index, item])
      : Object.entries(inputs.items);
    const size = inputs.batch_size;
    if (size !== undefined) {
      const batches = Math.ceil(entries.length / size);
      yield ['count', batches] as const;
      for (let index = 0; index < batches; index++) {
        if (context.signal.aborted) throw new BlockError(BlockErrorCode.CANCELLED, 'list.iterate was stopped.');
        yield ['batch', entries.slice(index * size, (index + 1) * size).map(([, item]) => item)] as const;
        yield ['key', index] as const;
      }
      return;
    }
    yield ['count', entries.length] as const;
    for (const [key, item] of entries) {
      if (context.signal.aborted) throw new BlockError(BlockErrorCode.CANCELLED, 'list.iterate was stopped.');
      yield ['item', item] as const;
      yield ['key', key] as const;
    }
  },
});
