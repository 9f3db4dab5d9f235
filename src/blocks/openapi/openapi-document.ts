// The integration's OpenAPI 3.0/3.1 document, read with a maintained parser (@scalar/openapi-parser):
// at most 5 MB, YAML aliases capped, `$ref`s resolved only to files inside the integrations folder (no
// URLs), validated and dereferenced; syntax problems and our own checks quote line and column, never
// the document's contents. The operations (all, or the listed subset) come out as IntegrationOperations.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { positionOf } from './integration-file.js';
import type { IntegrationFile, IntegrationOperation, IntegrationProblem, OperationPin, ParameterLocation } from './integration.types.js';
import { pinSchema } from './openapi-schemas.js';

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/**
 * `issues/create` -> `issues_create`; `getUserById` -> `get_user_by_id`. Over 62 characters, the name is
 * cut and ends in a short hash of the whole (GitHub has operationIds that differ only after 62 characters).
 */
export function snakeCase(text: string): string {
  const full = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '');
  return full.length <= 62 ? full : `${full.slice(0, 55).replace(/_+$/, '')}_${createHash('sha256').update(full).digest('hex').slice(0, 6)}`;
}

function insideFolder(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

type Raw = Record<string, unknown>;

export async function loadOperations(
  integration: IntegrationFile,
  folder: string,
  source: string,
): Promise<{ operations: IntegrationOperation[]; problems: IntegrationProblem[] }> {
  const root = resolve(folder);
  const path = resolve(root, integration.openapi);
  const file = relative(process.cwd(), path) || path;
  const fail = (message: string, position: { line?: number; column?: number } = {}) => ({ operations: [], problems: [{ file, ...position, message }] });
  if (!insideFolder(root, path)) return { operations: [], problems: [{ file: source, message: 'openapi must point inside the integrations folder' }] };
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return {
      operations: [],
      problems: [{ file: source, message: `the OpenAPI document ${integration.openapi} does not exist; commit it beside the integration file` }],
    };
  }
  if (size > MAX_DOCUMENT_BYTES) return fail(`the document is ${Math.ceil(size / 1024 / 1024)} MB; at most 5 MB (list fewer operations in a smaller document)`);
  // Positions come from a YAML parse of the text, done only when a problem needs one or the text is not
  // JSON: a JSON document (GitHub's is megabytes) is read by JSON.parse.
  const text = readFileSync(path, 'utf8');
  let positions: { document: Document; counter: LineCounter } | undefined;
  const parsed = () => {
    if (!positions) {
      const counter = new LineCounter();
      positions = { counter, document: parseDocument(text, { lineCounter: counter, uniqueKeys: false, prettyErrors: false }) };
    }
    return positions;
  };
  let raw: Raw | undefined = /^\s*\{/.test(text) ? jsonOrUndefined(text) : undefined;
  if (raw === undefined) {
    const { document, counter } = parsed();
    if (document.errors.length) {
      return {
        operations: [],
        problems: document.errors.map((error) => {
          const { line, col } = counter.linePos(error.pos[0]);
          return { file, line, column: col, message: `YAML/JSON syntax: ${error.code.toLowerCase().replace(/_/g, ' ')}` };
        }),
      };
    }
    try {
      raw = document.toJS({ maxAliasCount: 100 }) as Raw;
    } catch {
      return fail('too many YAML aliases (at most 100): write the document without alias expansion');
    }
  }
  const at = (p: Array<string | number>) => positionOf(parsed().document, parsed().counter, p);
  if (!raw || typeof raw !== 'object' || typeof raw.openapi !== 'string' || !/^3\.[01]\./.test(raw.openapi))
    return fail('not an OpenAPI 3.0 or 3.1 document (its "openapi" field)', at(['openapi']));

  // $refs resolve through the parser's file plugin, guarded: only files inside the folder, at most 5 MB each.
  // The parser (and its validator, ~600 KB of source) loads with the first integration document, not at boot.
  const [{ load, validate }, { readFiles }] = await Promise.all([import('@scalar/openapi-parser'), import('@scalar/openapi-parser/plugins/read-files')]);
  const files = readFiles();
  const refused: string[] = [];
  const guarded = {
    ...files,
    check: (value?: unknown) => files.check(value),
    get: (value: string) => {
      const target = resolve(value);
      if (!insideFolder(root, target) && target !== path) {
        refused.push('a $ref may only point to files inside the integrations folder (no URL, no absolute path, no "..")');
        return '{}';
      }
      if ((statSync(target, { throwIfNoEntry: false })?.size ?? 0) > MAX_DOCUMENT_BYTES) {
        refused.push('a referenced file is over 5 MB');
        return '{}';
      }
      return files.get(value) as string;
    },
  };
  const loaded = await load(path, { plugins: [guarded] });
  if (refused.length) return fail(refused[0]!);
  if (loaded.errors?.length) return fail(`its $refs could not be resolved: ${(loaded.errors[0]?.message ?? 'unknown reason').split('\n')[0]!.slice(0, 300)}`);
  // Validated as loaded (schema validation on the unresolved files, then the parser resolves the $refs once
  // and checks path parameters on the result, which is the dereferenced document used below): validating the
  // dereferenced tree walked every shared schema once per use (GitHub's document: tens of seconds).
  const checked = await validate(loaded.filesystem);
  const errors = checked.valid ? [] : checked.errors;
  if (errors.length || !checked.schema) {
    const first = errors[0];
    const pointer = Array.isArray(first?.path) ? first.path : typeof first?.path === 'string' ? first.path.split('/').filter(Boolean) : [];
    return fail(`invalid OpenAPI document: ${(first?.message ?? 'it could not be read').split('\n')[0]!.slice(0, 300)}`, pointer.length ? at(pointer) : {});
  }
  const api = checked.schema as Raw;
  return collectOperations(integration, api, at, file, source);
}

function jsonOrUndefined(text: string): Raw | undefined {
  try {
    return JSON.parse(text) as Raw;
  } catch {
    return undefined;
  }
}

function collectOperations(
  integration: IntegrationFile,
  api: Raw,
  at: (path: Array<string | number>) => { line?: number; column?: number },
  file: string,
  source: string,
): { operations: IntegrationOperation[]; problems: IntegrationProblem[] } {
  const problems: IntegrationProblem[] = [];
  const operations: IntegrationOperation[] = [];
  const wanted = integration.operations ? new Set(integration.operations) : null;
  const seen = new Map<string, string>();
  const globalSecurity = Array.isArray(api.security) ? api.security : null;
  for (const [route, item] of Object.entries((api.paths ?? {}) as Record<string, Raw>)) {
    for (const method of METHODS) {
      const op = item?.[method] as Raw | undefined;
      if (!op) continue;
      const operationId = typeof op.operationId === 'string' ? op.operationId : `${method}_${route}`;
      if (wanted && !wanted.has(operationId)) continue;
      wanted?.delete(operationId);
      const blockId = `${integration.name}.${snakeCase(typeof op.operationId === 'string' ? op.operationId : `${method}_${route}`)}`;
      const other = seen.get(blockId);
      if (other) {
        problems.push({
          file,
          ...at(['paths', route, method]),
          message: `operations "${other}" and "${operationId}" both become block ${blockId}; rename one operationId`,
        });
        continue;
      }
      seen.set(blockId, operationId);
      const params = [...((item.parameters ?? []) as Raw[]), ...((op.parameters ?? []) as Raw[])];
      const byKey = new Map<string, Raw>();
      for (const p of params) if (p && ['path', 'query', 'header'].includes(String(p.in))) byKey.set(`${String(p.in)}:${String(p.name)}`, p);
      const pins: Omit<OperationPin, 'pin'>[] = [...byKey.values()].map((p) => ({
        location: p.in as ParameterLocation,
        name: String(p.name),
        required: p.required === true || p.in === 'path',
        schema: pinSchema(p.schema),
        ...(typeof p.description === 'string' ? { description: p.description.slice(0, 500) } : {}),
      }));
      const body = ((op.requestBody as Raw | undefined)?.content as Record<string, Raw> | undefined)?.['application/json']?.schema as Raw | undefined;
      const bodyRequired = (op.requestBody as Raw | undefined)?.required === true;
      let wholeBody = false;
      if (body) {
        const properties = body.properties as Record<string, Raw> | undefined;
        if (body.type === 'object' || properties) {
          const required = new Set(Array.isArray(body.required) ? (body.required as string[]) : []);
          for (const [name, schema] of Object.entries(properties ?? {})) {
            pins.push({
              location: 'body',
              name,
              required: bodyRequired && required.has(name),
              schema: pinSchema(schema),
              ...(typeof schema?.description === 'string' ? { description: schema.description.slice(0, 500) } : {}),
            });
          }
        } else {
          wholeBody = true;
          pins.push({ location: 'body', name: 'body', required: bodyRequired, schema: pinSchema(body) });
        }
      }
      const names = new Map<string, number>();
      for (const p of pins) names.set(snakeCase(p.name) || 'value', (names.get(snakeCase(p.name) || 'value') ?? 0) + 1);
      const named = pins.map((p) => {
        const base = snakeCase(p.name) || 'value';
        const reservedOut = ['error'].includes(base);
        const pin = (names.get(base)! > 1 || reservedOut ? `${p.location}_${base}` : base).slice(0, 63);
        return { ...p, pin };
      });
      const security = Array.isArray(op.security) ? op.security : globalSecurity;
      operations.push({
        blockId,
        operationId,
        method: method.toUpperCase(),
        path: route,
        summary: String(op.summary ?? op.description ?? `${method.toUpperCase()} ${route}`).slice(0, 300),
        pins: named,
        wholeBody,
        public: Array.isArray(security) && security.length === 0,
      });
    }
  }
  for (const missing of wanted ?? []) {
    problems.push({ file: source, message: `operation "${missing}" (listed under operations) is not in ${integration.openapi}` });
  }
  return { operations, problems };
}
