// What a node's pins are (from its block, its constants and, for agent.run, the child agent), their
// JSON Schemas, and whether a source pin's type can flow into a sink pin's. Whether a value fits a
// schema is the blocks' own validator's business (src/blocks/pin-validation.ts).
import type { BlockDefinition, JsonSchema } from '../blocks/block.types.js';
import { describeSchema, JSON_TYPES } from '../blocks/pin-validation.js';
import type { NodeDefinition } from './graph.types.js';
import { isDict } from './agent.fields.js';

export const ERROR_PIN = 'error';
const ERROR_PIN_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
};

export interface AgentOutputsLookup {
  agentOutputs(agent: string): string[] | undefined;
}

function properties(schema: JsonSchema): Record<string, JsonSchema> {
  const props = schema.properties;
  return isDict(props) ? (props as Record<string, JsonSchema>) : {};
}

export function inputPins(block: BlockDefinition): Record<string, JsonSchema> {
  return properties(block.inputSchema);
}

export function requiredInputs(block: BlockDefinition): string[] {
  const required = block.inputSchema.required;
  return Array.isArray(required) ? required.filter((pin): pin is string => typeof pin === 'string') : [];
}

/**
 * Output pins of a node: the block's declared outputs, `error`, and the dynamic ones its constants
 * add (each label of llm.classify, each case of logic.switch, each output of agent.run's child).
 * A pin mapped to undefined accepts any value.
 */
export function outputPins(block: BlockDefinition, node: NodeDefinition, lookup: AgentOutputsLookup): Record<string, JsonSchema | undefined> {
  const pins: Record<string, JsonSchema | undefined> = { ...properties(block.outputSchema) };
  if (block.id === 'input') pins.value = inputValueSchema(node.inputs.type);
  if (block.dynamicOutputs) {
    let extra: string[] = [];
    try {
      extra = block.dynamicOutputs(node.inputs, lookup);
    } catch {
      // A constant of the wrong shape is reported by the input-pin check; no extra pins then.
    }
    for (const pin of extra) if (!(pin in pins)) pins[pin] = undefined;
  }
  pins[ERROR_PIN] = ERROR_PIN_SCHEMA;
  return pins;
}

/** The schema of an `input` node's value, from its constant `type` (a type name or a whole schema). */
export function inputValueSchema(type: unknown): JsonSchema | undefined {
  if (typeof type === 'string' && (JSON_TYPES as readonly string[]).includes(type)) return { type };
  if (isDict(type)) return type;
  return undefined;
}

export function isJsonTypeName(type: unknown): boolean {
  return typeof type === 'string' && (JSON_TYPES as readonly string[]).includes(type);
}

/** The JSON types a schema allows, or null when it allows anything. */
export function schemaTypes(schema: JsonSchema | undefined): Set<string> | null {
  if (!schema) return null;
  const { type } = schema;
  if (typeof type === 'string') return withInteger(new Set([type]));
  if (Array.isArray(type)) return withInteger(new Set(type.filter((t): t is string => typeof t === 'string')));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    const union = new Set<string>();
    for (const branch of branches) {
      const types = isDict(branch) ? schemaTypes(branch) : null;
      if (types === null) return null;
      for (const t of types) union.add(t);
    }
    return union;
  }
  if ('const' in schema) return withInteger(new Set([jsonTypeOf(schema.const)]));
  if (Array.isArray(schema.enum)) return withInteger(new Set(schema.enum.map(jsonTypeOf)));
  return null;
}

/** Integers are numbers: a `number` pin takes an `integer` source, and may carry whole numbers to one. */
function withInteger(types: Set<string>): Set<string> {
  if (types.has('integer')) types.add('number');
  if (types.has('number')) types.add('integer');
  return types;
}

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether values of `from` can ever be accepted by `to` (their JSON types overlap, or either is any). */
export function typesCompatible(from: JsonSchema | undefined, to: JsonSchema | undefined): boolean {
  const source = schemaTypes(from);
  const sink = schemaTypes(to);
  if (source === null || sink === null) return true;
  for (const type of source) if (sink.has(type)) return true;
  return false;
}

/** What a pin carries or takes, in words ("text", "a number", "any value"). */
export function describePin(schema: JsonSchema | undefined): string {
  return schema ? describeSchema(schema) : 'any value';
}

/** Whether a pin takes a dict (so `b.in.key` links may set its keys). */
export function isDictPin(schema: JsonSchema | undefined): boolean {
  const types = schemaTypes(schema);
  return types === null || types.has('object');
}

/** The schema of one key of a dict pin, when the pin declares it. */
export function dictKeySchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  const declared = properties(schema)[key];
  if (declared) return declared;
  return isDict(schema.additionalProperties) ? (schema.additionalProperties as JsonSchema) : undefined;
}
