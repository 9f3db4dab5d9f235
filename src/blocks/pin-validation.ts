// The one JSON Schema validator of blocks (ajv, draft 2020-12, compiled once per schema, or precompiled by the
// build) and the translation of its errors into problems a person can act on: which pin, what was expected, what came.
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Problem } from '../common/errors.js';
import type { JsonSchema } from './block.types.js';
import { didYouMean } from './close-matches.js';
import { newPinAjv } from './pin-ajv.js';
import { PIN_FORMATS } from './pin-formats.js';

/** The JSON types, the names an input's `type` may be (spec/agent-format.md). */
export const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

let instance: Ajv2020 | undefined;

/** The ajv that compiles, made on the first schema without a precompiled validator. */
function ajv(): Ajv2020 {
  return (instance ??= newPinAjv());
}

const compiled = new WeakMap<object, ValidateFunction>();
const checkedByBuild = new WeakSet<object>();

/**
 * Schemas the build already checked against the meta-schema (the block manifest's, scripts/build.mjs):
 * compileSchema skips ajv's check of them, whose first use compiles the draft 2020-12 meta-schema (a fifth
 * of `trellis validate` when no agent brings a schema of its own).
 */
export function markCheckedByBuild(schema: JsonSchema): void {
  checkedByBuild.add(schema);
}

/** The build's validator of `schema` (library/block-validators.ts): compileSchema answers it instead of compiling. */
export function usePrecompiled(schema: JsonSchema, validate: ValidateFunction): void {
  compiled.set(schema, validate);
}

/** Compiles a schema object once (cached by identity); throws if the schema itself is invalid. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = checkedByBuild.has(schema) ? compileUnchecked(schema) : ajv().compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** ajv's compile without its meta-schema check (it reads the option at each call; nothing else changes). */
function compileUnchecked(schema: JsonSchema): ValidateFunction {
  const compiler = ajv();
  const check = compiler.opts.validateSchema;
  compiler.opts.validateSchema = false;
  try {
    return compiler.compile(schema);
  } finally {
    compiler.opts.validateSchema = check;
  }
}

const byText = new Map<string, ValidateFunction>();
const BY_TEXT_LIMIT = 500;
const precompiledByText = new Map<string, ValidateFunction>();

/** The build's validator of a schema arriving as data (`{type: <a JSON type>}`), by its JSON text. */
export function usePrecompiledData(schema: JsonSchema, validate: ValidateFunction): void {
  precompiledByText.set(JSON.stringify(schema), validate);
}

/**
 * Compiles a schema that arrives as data (an `input` node's `type`), cached by its JSON text. `metaChecked`:
 * the caller knows it valid (schemaProblem said so, or it is `{type: <a JSON type>}`), so ajv's check is skipped.
 */
export function compileDataSchema(schema: JsonSchema, { metaChecked = false } = {}): ValidateFunction {
  const key = JSON.stringify(schema);
  const precompiled = precompiledByText.get(key);
  if (precompiled) return precompiled;
  let validate = byText.get(key);
  if (validate) {
    byText.delete(key);
  } else {
    validate = metaChecked ? compileUnchecked(schema) : ajv().compile(schema);
    if (byText.size >= BY_TEXT_LIMIT) byText.delete(byText.keys().next().value!);
  }
  byText.set(key, validate);
  return validate;
}

/** Why a schema arriving as data cannot be compiled, or null. */
export function schemaProblem(schema: JsonSchema): string | null {
  const compiler = ajv();
  if (!compiler.validateSchema(schema)) {
    // Against the meta-schema the first concrete error per place says it best ("type: expected one of ...").
    const places = new Set<string>();
    const errors = (compiler.errors ?? []).filter((e) => e.keyword !== 'anyOf' && !places.has(e.instancePath) && places.add(e.instancePath));
    return problemsFromErrors(errors)
      .map((p) => p.message)
      .join('; ');
  }
  try {
    compileDataSchema(schema);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface ProblemContext {
  /** Names pins in messages: errors at `/x` are about pin `x`. Without it, paths are shown as JSON Pointers. */
  pins?: readonly string[];
  /** Prefix of every pointer, e.g. `/inputs`. */
  pointerPrefix?: string;
  /** Who the pins belong to, for "is not an input of ..." (e.g. `block text.split`). */
  owner?: string;
}

/** Turns ajv errors into problems: one per wrong place, naming it, the expectation and the value. */
export function problemsFromErrors(errors: readonly ErrorObject[] | null | undefined, context: ProblemContext = {}): Problem[] {
  if (!errors?.length) return [];
  // Union branches each report their own failure; keep only the union's, which says what any branch wanted.
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const underUnion = (e: ErrorObject) =>
    unions.some(
      (u) => u !== e && (e.schemaPath.startsWith(`${u.schemaPath}/`) || e.instancePath === u.instancePath || e.instancePath.startsWith(`${u.instancePath}/`)),
    );
  // A failed `if`/`then` rule reports the `then` failure itself; the `if` error only says "must match then".
  const kept = errors.filter((e) => !underUnion(e) && e.keyword !== 'if');
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    const problem = toProblem(error, context);
    const key = `${problem.pointer}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function toProblem(error: ErrorObject, context: ProblemContext): Problem {
  const prefix = context.pointerPrefix ?? '';
  const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    const path = [...segments, missing];
    const what = describeSchema(((error.parentSchema as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined)?.[missing] ?? {});
    return place(path, context, prefix, `is required (${what})`);
  }
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty: string }).additionalProperty);
    const path = [...segments, extra];
    if (segments.length === 0 && context.pins) {
      const owner = context.owner ? ` of ${context.owner}` : '';
      const list = context.pins.length ? ` Its inputs are: ${context.pins.join(', ')}.` : ' It has no inputs.';
      return {
        pin: extra,
        pointer: `${prefix}/${escapePointer(extra)}`,
        message: `"${extra}" is not an input${owner}.${didYouMean(extra, context.pins)}${list}`,
      };
    }
    const known = Object.keys(((error.parentSchema as JsonSchema | undefined)?.properties as object | undefined) ?? {});
    return place(path, context, prefix, `unknown key "${extra}"${known.length ? ` (known keys: ${known.join(', ')})` : ''}`);
  }
  return place(segments, context, prefix, `${expectation(error)}, got ${showValue(error.data)}`);
}

function place(path: string[], context: ProblemContext, prefix: string, text: string): Problem {
  const pointer = `${prefix}${path.map((s) => `/${escapePointer(s)}`).join('')}`;
  if (context.pins && path.length) {
    const [pin, ...rest] = path;
    const where = rest.length ? `${pin} (at /${rest.map(escapePointer).join('/')})` : pin!;
    return { pin, pointer, message: `${where}: ${text}` };
  }
  return { pointer, message: `${pointer || 'the value'}: ${text}` };
}

function expectation(error: ErrorObject): string {
  const schema = (error.parentSchema ?? {}) as JsonSchema;
  if (typeof schema['x-expected'] === 'string') return `expected ${schema['x-expected']}`;
  switch (error.keyword) {
    case 'type':
    case 'anyOf':
    case 'oneOf':
    case 'enum':
    case 'const':
      return `expected ${describeSchema(schema)}`;
    case 'format': {
      const format = String((error.params as { format: string }).format);
      const check = PIN_FORMATS[format];
      if (check && typeof error.data === 'string') return check(error.data) ?? `expected a ${format}`;
      return `expected text in the ${format} format`;
    }
    case 'pattern':
      return `expected text matching /${String((error.params as { pattern: string }).pattern)}/`;
    default:
      return error.message ?? 'is not valid';
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** What a schema accepts, in words: "text or a list", "one of "a", "b"", "any value". */
export function describeSchema(schema: JsonSchema): string {
  if (typeof schema['x-expected'] === 'string') return schema['x-expected'];
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) return union.map(describeSchema).join(' or ');
  const type = schema.type;
  if (typeof type === 'string') return TYPE_WORDS[type] ?? type;
  if (Array.isArray(type)) return type.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
  return 'any value';
}

/** A value as a person would describe it, short: `the text "abc"`, `a list of 3 items`. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}` : 'an empty object';
  }
  return typeof value;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
