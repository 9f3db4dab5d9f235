// Pin schemas written once: a block declares its pins with TypeBox, and `defineBlock` derives the input
// and output JSON Schemas (what the registry, the API and the validators see) and the TypeScript types of
// `run`'s inputs and yields (what the compiler checks) from that one definition.
import Type, { type Static, type TOptional, type TSchema } from 'typebox';
import type { BlockCategory, BlockContext, BlockDefinition, BlockErrorSpec, CredentialFieldSpec, JsonSchema, PinMode } from './block.types.js';

export { Type };
export type { Static };
export { PIN_NAME } from './pin-name.js';

type PinSchemas = Record<string, TSchema>;

/** A pin with a default: not required in the schema, always present in the inputs `run` receives. */
export type TDefaulted<T extends TSchema> = TOptional<T> & { readonly '~defaulted': true };

/** Marks a pin optional with a default value, applied by the validator before `run`. */
export function withDefault<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  const optional = Type.Optional(schema) as unknown as Record<string, unknown>;
  optional.default = value;
  Object.defineProperty(optional, '~defaulted', { value: true, enumerable: false });
  return optional as unknown as TDefaulted<T>;
}

/** An optional pin without a default: absent from the inputs unless it got a value. */
export function optional<T extends TSchema>(schema: T): TOptional<T> {
  return Type.Optional(schema) as TOptional<T>;
}

/** A JSON object whose values all follow `value` (`{type: object, additionalProperties: value}`). */
export function dict<T extends TSchema>(value: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...options });
}

/** Any JSON value. */
export function anyValue(options: Record<string, unknown> = {}) {
  return Type.Unknown(options);
}

type OptionalKeys<P extends PinSchemas> = {
  [K in keyof P]: P[K] extends { '~optional': true } ? (P[K] extends { '~defaulted': true } ? never : K) : never;
}[keyof P];

/** What `run` receives: required and defaulted pins present, optional ones possibly absent. */
export type InputsOf<P extends PinSchemas> = { [K in Exclude<keyof P, OptionalKeys<P>>]: Static<P[K]> } & {
  [K in OptionalKeys<P>]?: Static<P[K]>;
};

/** One `[pin, value]` pair a block may yield on its declared outputs. */
export type OutputYield<O extends PinSchemas> = { [K in keyof O & string]: readonly [K, Static<O[K]>] }[keyof O & string];

declare const dynamicBrand: unique symbol;
/** A pin that exists only because of the node's constants (logic.switch cases, agent.run outputs). */
export type DynamicPin = string & { readonly [dynamicBrand]: true };
export function dynamicPin(name: string): DynamicPin {
  return name as DynamicPin;
}

export interface BlockSpec<P extends PinSchemas, O extends PinSchemas> {
  id: string;
  description: string;
  category: BlockCategory;
  inputs: P;
  /** Declared outputs; `error` is added by the registry. */
  outputs: O;
  credentials?: Record<string, CredentialFieldSpec>;
  cost:
    | number
    | ((inputs: Partial<InputsOf<P>>, costs: { models: Record<string, number>; default_model_cost: number; integrations: Record<string, number> }) => number);
  /** `cost` is per call the block charges through BlockContext.charge, not per attempt (ai.agent). */
  chargedPerCall?: true;
  pinModes?: Partial<Record<keyof P & string, PinMode>>;
  /** The input pin whose number fires a gather run once that many values arrived (list.collect: count). */
  gatherCount?: keyof P & string;
  streaming?: boolean;
  dynamicOutputs?: (constants: Partial<InputsOf<P>>, lookup: { agentOutputs(agent: string): string[] | undefined }) => string[];
  suspend?: 'delay' | 'child_execution' | 'review' | 'event';
  trigger?: boolean;
  sideEffects?: boolean;
  /** The block's own error codes (blockErrors(...) of block-errors.catalog.ts). */
  errors?: readonly BlockErrorSpec[];
  /** Outputs that do not yield once per run (branches, fan-outs): see OutputYields. */
  yields?: { sometimes?: readonly (keyof O & string)[]; repeated?: readonly (keyof O & string)[]; dynamic?: 'sometimes' | 'repeated' };
  /** JSON Schemas every input object must also satisfy (`allOf`), e.g. a format that applies only when another pin says so. */
  inputRules?: JsonSchema[];
  run(inputs: InputsOf<P>, context: BlockContext): AsyncGenerator<OutputYield<O> | readonly [DynamicPin, unknown], void, undefined>;
}

/** Builds the BlockDefinition the registry and the engine see from a typed spec. */
export function defineBlock<P extends PinSchemas, O extends PinSchemas>(spec: BlockSpec<P, O>): BlockDefinition {
  const { inputs, outputs, inputRules, ...rest } = spec;
  const definition = {
    ...rest,
    inputSchema: { ...objectSchema(inputs, true), ...(inputRules?.length ? { allOf: inputRules } : {}) },
    outputSchema: objectSchema(outputs, false),
  };
  return definition as unknown as BlockDefinition;
}

/** `{type: object, properties, required}`: a pin is required unless it is optional or has a default. */
function objectSchema(pins: PinSchemas, closed: boolean): JsonSchema {
  const required = Object.entries(pins)
    .filter(([, schema]) => !Type.IsOptional(schema) && !('default' in schema))
    .map(([name]) => name);
  return {
    type: 'object',
    properties: pins,
    ...(closed ? { required, additionalProperties: false } : {}),
  };
}
