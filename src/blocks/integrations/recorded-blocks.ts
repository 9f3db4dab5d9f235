// An integration's blocks rebuilt from a recorded version's definition (the integration file and its
// operations as read, already dereferenced), without the integrations folder or its OpenAPI document: a
// worker may have neither. Also what a node runs when its integration block cannot be had at all.
import type { IntegrationDefinition } from '../openapi/integration.types.js';
import type { BlockDefinition } from '../block.types.js';
import { blockErrors } from '../block-errors.catalog.js';
import { ERROR_PIN_SCHEMA } from '../block-validator.js';
import { BlockError } from '../blocks.errors.js';
import { operationBlock } from './openapi-blocks.js';

export function blocksOfDefinition(definition: IntegrationDefinition): BlockDefinition[] {
  return definition.operations.map((operation) => operationBlock(definition.file, operation));
}

/** Every string under a `block` key (nodes, and tools inside a node's inputs). */
export function blocksNamed(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) blocksNamed(item, into);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'block' && typeof inner === 'string') into.add(inner);
      else blocksNamed(inner, into);
    }
  return into;
}

/**
 * Stands in for an integration block that no recorded version provides (no version row, the integration
 * removed, the operation gone): the graph still compiles, and the node fails with INTEGRATION_UNAVAILABLE
 * and `reason` when it runs (its error pin, retries and the execution's end as for any failure).
 */
export function unavailableBlock(id: string, reason: string): BlockDefinition {
  return {
    id,
    description: reason,
    category: 'http',
    inputSchema: { type: 'object', properties: {}, additionalProperties: true },
    outputSchema: { type: 'object', properties: { error: ERROR_PIN_SCHEMA } },
    cost: 0,
    errors: blockErrors('INTEGRATION_UNAVAILABLE'),
    // eslint-disable-next-line require-yield
    run: async function* () {
      throw new BlockError('INTEGRATION_UNAVAILABLE', reason, { block: id });
    },
  };
}
