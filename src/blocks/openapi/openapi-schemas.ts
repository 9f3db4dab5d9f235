// OpenAPI schemas as pin schemas: the JSON Schema keywords the validator understands, OpenAPI 3.0's
// `nullable` as a type union, depth-capped (dereferenced documents can be circular: what lies deeper
// accepts any value), and without `pattern` and `format` (not every one is a regular expression or format
// our validators run in linear time).
const KEEP = new Set([
  'type',
  'description',
  'enum',
  'const',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
]);
const MAX_DEPTH = 6;
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

export function pinSchema(schema: unknown, depth = 0): Record<string, unknown> {
  if (!schema || typeof schema !== 'object' || depth >= MAX_DEPTH) return {};
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source))
    if (KEEP.has(key)) out[key] = key === 'description' && typeof value === 'string' ? value.slice(0, 500) : value;
  if (typeof out.exclusiveMinimum === 'boolean' || typeof out.exclusiveMaximum === 'boolean') {
    delete out.exclusiveMinimum;
    delete out.exclusiveMaximum;
  }
  // Only what ajv compiles: the integration blocks' schemas compile when first used, not at load.
  const numeric = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems'];
  for (const [key, value] of Object.entries(out)) if (numeric.includes(key) && typeof value !== 'number') Reflect.deleteProperty(out, key);
  if ('enum' in out && !Array.isArray(out.enum)) delete out.enum;
  if ('uniqueItems' in out && typeof out.uniqueItems !== 'boolean') delete out.uniqueItems;
  if ('description' in out && typeof out.description !== 'string') delete out.description;
  if (Array.isArray(out.type)) out.type = (out.type as unknown[]).filter((t) => JSON_TYPES.has(t as string));
  else if (out.type !== undefined && !JSON_TYPES.has(out.type as string)) delete out.type;
  if (Array.isArray(out.type) && out.type.length === 0) delete out.type;
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (source.properties && typeof source.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(source.properties as Record<string, unknown>).map(([k, v]) => [k, pinSchema(v, depth + 1)]));
  }
  if (Array.isArray(source.required) && out.properties) out.required = source.required.filter((r) => typeof r === 'string' && r in (out.properties as object));
  if (source.items && typeof source.items === 'object') out.items = pinSchema(source.items, depth + 1);
  if (typeof source.additionalProperties === 'object') out.additionalProperties = pinSchema(source.additionalProperties, depth + 1);
  // oneOf becomes anyOf: two branches cut to "any value" by the depth cap would both match.
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (Array.isArray(source[key])) out[key === 'oneOf' ? 'anyOf' : key] = (source[key] as unknown[]).map((s) => pinSchema(s, depth + 1));
  }
  if (Array.isArray(out.enum) && out.type === undefined) delete out.type;
  return out;
}
