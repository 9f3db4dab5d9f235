// `list.collect`: gathers every `item` that arrives into one list (sorted by `key` when keys come with
// the items), and says whether all `count` expected items arrived before the execution went quiet.
import { invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, optional, Type } from '../../pins.js';

type Key = number | string;

export const listCollectBlock = defineBlock({
  id: 'list.collect',
  description:
    "Gathers every value arriving on item into one list. With key (one per item, such as list.iterate's key), the list is sorted by key. With count (sticky), it fires once count items arrived; complete is false when the execution went quiet with fewer.",
  category: 'data',
  pinModes: { item: 'gather', key: 'gather', count: 'sticky' },
  gatherCount: 'count',
  inputs: {
    item: Type.Array(anyValue(), { description: 'Gather pin: every value that arrived, as a list.' }),
    key: optional(Type.Array(Type.Union([Type.Number(), Type.String()]), { description: 'Gather pin: a sort key per item, in arrival order.' })),
    count: optional(Type.Integer({ minimum: 0, description: 'Sticky: how many items to expect.' })),
  },
  outputs: {
    items: Type.Array(anyValue(), { description: 'The gathered items (sorted by key when given).' }),
    complete: Type.Boolean({ description: 'False when fewer than count items arrived.' }),
  },
  cost: 0,
  async *run(inputs) {
    let items = inputs.item;
    if (inputs.key !== undefined) {
      if (inputs.key.length !== items.length) {
        throw invalidPin('list.collect', 'key', `${inputs.key.length} keys arrived for ${items.length} items; link one key per item, or none`);
      }
      const keys = inputs.key;
      items = items
        .map((item, index) => ({ item, key: keys[index]!, index }))
        .sort(byKey)
        .map((entry) => entry.item);
    }
    yield ['items', items] as const;
    yield ['complete', inputs.count === undefined || items.length >= inputs.count] as const;
  },
});

function byKey(a: { key: Key; index: number }, b: { key: Key; index: number }): number {
  if (typeof a.key !== typeof b.key) return typeof a.key === 'number' ? -1 : 1;
  if (a.key < b.key) return -1;
  if (a.key > b.key) return 1;
  return a.index - b.index;
}
