// `value.store`: holds `data` (sticky) and yields it each time something arrives on `input`, e.g. to
// reuse a configuration object once per element of a list.
import { anyValue, defineBlock } from '../../pins.js';

export const valueStoreBlock = defineBlock({
  id: 'value.store',
  description: 'Yields the stored data on output each time a value arrives on input. data is sticky: kept and reused for every later run.',
  category: 'data',
  pinModes: { data: 'sticky' },
  inputs: {
    input: anyValue({ description: 'Each value here releases the stored data (its own value is not used).' }),
    data: anyValue({ description: 'Sticky: the value to yield.' }),
  },
  outputs: {
    output: anyValue({ description: 'The stored data.' }),
  },
  cost: 0,
  async *run(inputs) {
    yield ['output', inputs.data] as const;
  },
});
