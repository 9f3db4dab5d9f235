// The layered merge behind loadConfig: schema defaults, then each layer (files, environment, overrides)
// checked key by key against CONFIG_SCHEMA, so an unknown key or a bad value names its source and path.
import { convertField } from './config-fields.js';
import { isField, type FieldSpec, type SchemaNode } from './config.schema.js';
import type { ConfigProblem } from './config.errors.js';

/** Plain environment variables that set a config key (the spec's Environment table). */
const ENV_ALIASES: Record<string, string> = {
  PORT: 'server.port',
  JWT_SECRET: 'auth.jwt.secret',
  LOG_LEVEL: 'logging.level',
};

/** The environment's layer: the plain aliases above, then every TRELLIS_<SECTION>__<KEY> (lowercased path). */
export function environmentLayer(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const envLayer: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    if (env[name] !== undefined && env[name] !== '') setPath(envLayer, path.split('.'), env[name]);
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TRELLIS_') || !name.includes('__') || value === undefined) continue;
    const path = name.slice('TRELLIS_'.length).toLowerCase().split('__');
    setPath(envLayer, path, value);
  }
  return envLayer;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

export function applyDefaults(schema: SchemaNode, out: Record<string, unknown>, problems: ConfigProblem[]): void {
  for (const [key, spec] of Object.entries(schema)) {
    if (isField(spec)) {
      if (spec.default === undefined) continue;
      const converted = convertField(spec, spec.default);
      if ('error' in converted) problems.push({ file: 'config.schema.ts', key, reason: converted.error });
      else out[key] = converted.value;
    } else {
      const child: Record<string, unknown> = {};
      applyDefaults(spec, child, problems);
      out[key] = child;
    }
  }
}

export function mergeLayer(
  schema: SchemaNode,
  values: Record<string, unknown>,
  out: Record<string, unknown>,
  path: string[],
  source: string,
  problems: ConfigProblem[],
): void {
  for (const [key, raw] of Object.entries(values)) {
    const keyPath = [...path, key];
    const spec = schema[key];
    if (!spec) {
      const known = Object.keys(schema).join(', ');
      problems.push({ file: source, key: keyPath.join('.'), reason: `unknown key (known here: ${known})` });
      continue;
    }
    if (raw === null || raw === undefined) continue;
    if (isField(spec)) {
      const converted = convertField(spec as FieldSpec, raw);
      if ('error' in converted) problems.push({ file: source, key: keyPath.join('.'), reason: converted.error });
      else out[key] = converted.value;
      continue;
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file: source, key: keyPath.join('.'), reason: `expected a section with keys ${Object.keys(spec).join(', ')}` });
      continue;
    }
    out[key] ??= {};
    mergeLayer(spec, raw as Record<string, unknown>, out[key] as Record<string, unknown>, keyPath, source, problems);
  }
}
