// The agents the engine scenarios run, in the agent format as POST /api/graphs takes it.

/** input, three parallel json.query, output: 5 node executions per run. */
export const fiveNodeAgent = (name: string) => ({
  name,
  description: 'Bench: one input fanned to three parallel queries, one of them answered.',
  nodes: {
    order: { block: 'input', inputs: { name: 'order' } },
    total: { block: 'json.query', inputs: { expression: '$sum(items.(price * quantity))' } },
    count: { block: 'json.query', inputs: { expression: '$count(items)' } },
    ref: { block: 'json.query', inputs: { expression: 'id' } },
    out: { block: 'output', inputs: { name: 'total' } },
  },
  links: ['order.value -> total.data', 'order.value -> count.data', 'order.value -> ref.data', 'total.result -> out.value'],
});

export const ORDER = {
  id: 'A-1',
  items: [
    { price: 3, quantity: 2 },
    { price: 5, quantity: 1 },
  ],
};

/** list.iterate over `items` through json.query into list.collect. */
export const fanoutAgent = (name: string) => ({
  name,
  description: 'Bench: every item through a query, collected back into one list.',
  nodes: {
    items: { block: 'input', inputs: { name: 'items' } },
    each: { block: 'list.iterate' },
    double: { block: 'json.query', inputs: { expression: '$ * 2' } },
    collect: { block: 'list.collect' },
    out: { block: 'output', inputs: { name: 'doubled' } },
  },
  links: [
    'items.value -> each.items',
    'each.item -> double.data',
    'each.count -> collect.count',
    'double.result -> collect.item',
    'collect.items -> out.value',
  ],
});

/** Parks in time.delay for `duration`. */
export const waitingAgent = (name: string, duration: string) => ({
  name,
  description: 'Bench: waits in a delay without holding a worker slot.',
  nodes: {
    x: { block: 'input', inputs: { name: 'x', default: 1 } },
    wait: { block: 'time.delay', inputs: { duration } },
    out: { block: 'output', inputs: { name: 'x' } },
  },
  links: ['x.value -> wait.value', 'wait.value -> out.value'],
});
