import { describe, expect, it } from '@jest/globals';
import { anyValue, defineBlock, dict, optional, Type, withDefault } from './pins.js';

const sample = defineBlock({
  id: 'sample.block',
  description: 'A sample',
  category: 'data',
  inputs: {
    name: Type.String(),
    count: withDefault(Type.Integer({ minimum: 0 }), 3),
    note: optional(Type.String()),
    extra: dict(anyValue()),
  },
  outputs: { out: Type.String() },
  cost: 0,
  async *run(inputs) {
    yield ['out', `${inputs.name}:${inputs.count}`] as const;
  },
});

describe('defineBlock', () => {
  it('derives a closed input schema: pins without a default and not optional are required', () => {
    expect(sample.inputSchema.type).toBe('object');
    expect(sample.inputSchema.required).toEqual(['name', 'extra']);
    expect(sample.inputSchema.additionalProperties).toBe(false);
    const properties = sample.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(properties.count).toEqual({ type: 'integer', minimum: 0, default: 3 });
    expect(properties.extra).toEqual({ type: 'object', additionalProperties: {} });
  });

  it('derives the output schema from the declared outputs only', () => {
    expect(JSON.parse(JSON.stringify(sample.outputSchema))).toEqual({ type: 'object', properties: { out: { type: 'string' } } });
  });

  it('keeps the rest of the spec (id, cost, run) as the block definition', () => {
    expect(sample.id).toBe('sample.block');
    expect(sample.cost).toBe(0);
    expect(typeof sample.run).toBe('function');
  });
});
