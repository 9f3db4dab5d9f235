// Examples for the OpenAPI document: every request body and every answer shows one. An operation's own
// example (content.example) wins; otherwise one is built from its schema, from the `example`s its properties
// carry (the answer DTOs set them where a generic value would mislead) and plain values by type and format.
// The drift test (test/docs/openapi.e2e-spec.ts) validates every example against its schema.
import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ErrorStatus, type ErrorCode } from './errors.js';

type Schema = SchemaObject | ReferenceObject;
type Components = Record<string, Schema>;

/**
 * The message of each code's example of the common error body. The code a status shows is the first that
 * ErrorStatus maps to it (its most common one); 422 and 504 are a block's own failures (blocks/blocks.errors.ts).
 */
const ERROR_MESSAGES: Record<string, string> = {
  VALIDATION_FAILED: 'The request has 1 problem: /name: must match ^[a-z0-9][a-z0-9-]*$ (lower-case letters, digits and -).',
  UNAUTHENTICATED: 'Send an API key (X-API-Key) or a JWT (Authorization: Bearer ...).',
  INSUFFICIENT_CREDITS: 'This run needs 3 credits and you have 1. Ask an admin for credits.',
  FORBIDDEN: 'This API key lacks the scope graphs:write. Create a key with it (trellis keys create).',
  NOT_FOUND: 'No graph "helo-world" exists, or you may not see it. Did you mean "hello-world"?',
  CONFLICT: 'A graph named "hello-world" exists already. Pick another name or PUT /api/graphs/hello-world.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the limit of 1048576 bytes. Send a smaller body.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as application/json.',
  BLOCK_FAILED: 'http.request: the server answered 502 Bad Gateway.',
  RATE_LIMITED: 'Too many requests: 100 a minute for this key. Retry after 12 s.',
  INTERNAL: 'Something went wrong on our side; the request id is in the server log.',
  UNAVAILABLE: 'The database is not reachable yet; retry shortly.',
  NODE_TIMEOUT: 'The block did not answer within its timeout of 30s.',
};
const BLOCK_ERROR_CODES: Record<string, string> = { '422': 'BLOCK_FAILED', '504': 'NODE_TIMEOUT' };

function usualCode(status: string): string | undefined {
  return (Object.keys(ErrorStatus) as ErrorCode[]).find((code) => String(ErrorStatus[code]) === status) ?? BLOCK_ERROR_CODES[status];
}

const BY_FORMAT: Record<string, unknown> = {
  'date-time': '2026-12-07T09:30:00.000Z',
  date: '2026-12-07',
  uuid: '0b7e6c3a-5f1d-4c2e-9a8b-1d2e3f4a5b6c',
  uri: 'https://example.com/hooks/trellis',
  url: 'https://example.com/hooks/trellis',
  email: 'ada@example.com',
  int64: 1,
  int32: 1,
  double: 0.5,
  float: 0.5,
};

/** Example of the common error body for an error status. */
export function errorExample(status: string): unknown {
  const code = usualCode(status);
  const known = code && ERROR_MESSAGES[code] ? { code, message: ERROR_MESSAGES[code] } : { code: 'ERROR', message: 'What went wrong and what to do about it.' };
  return { error: { ...known, details: {}, request_id: 'req_8f14e45fceea167a' } };
}

/** A value that fits `schema`, resolving references in `components`. */
export function exampleOf(schema: Schema | undefined, components: Components, key = '', depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if ('$ref' in schema) return exampleOf(components[schema.$ref.split('/').at(-1)!], components, key, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.oneOf?.length) return exampleOf(schema.oneOf[0], components, key, depth + 1);
  if (schema.anyOf?.length) return exampleOf(schema.anyOf[0], components, key, depth + 1);
  if (schema.allOf?.length) return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part, components, key, depth + 1) as object));
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) out[name] = exampleOf(property, components, name, depth + 1);
      return out;
    }
    case 'array': {
      const item = exampleOf(schema.items, components, key, depth + 1);
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => item);
    }
    case 'integer':
    case 'number':
      return schema.minimum !== undefined && schema.minimum > 1 ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'string':
      return stringExample(schema, key);
    default:
      return {};
  }
}

/** Plain values for the property names the API uses everywhere, so a built example reads like a real one. */
const BY_KEY: Record<string, string> = {
  id: '0b7e6c3a-5f1d-4c2e-9a8b-1d2e3f4a5b6c',
  graph_id: 'hello-world',
  graph: 'hello-world',
  agent: 'hello-world',
  name: 'hello-world',
  node_id: 'greet',
  node: 'greet',
  trigger_node: 'hook',
  block: 'text.template',
  pin: 'template',
  file: 'hello-world.yaml',
  folder: 'agents',
  commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  hash: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8',
  message: 'What happened, in one sentence.',
  code: 'NOT_FOUND',
  description: 'Greets whoever it is given.',
  owner: 'ada@example.com',
  email: 'ada@example.com',
  status: 'COMPLETED',
  reason: 'the checkout is behind the last synced commit',
  timeout: '30s',
};

function stringExample(schema: SchemaObject, key: string): string | null {
  if (schema.format && typeof BY_FORMAT[schema.format] === 'string') return BY_FORMAT[schema.format] as string;
  if (BY_KEY[key]) return BY_KEY[key];
  if (/_id$/.test(key)) return BY_KEY.id!;
  if (/_at$/.test(key)) return BY_FORMAT['date-time'] as string;
  if (schema.nullable) return null;
  return key ? key.replace(/_/g, ' ') : 'text';
}

interface Media {
  schema?: Schema;
  example?: unknown;
  examples?: unknown;
}

/** Fills in an example for every request body and answer of the document that has none. */
export function addOperationExamples(document: OpenAPIObject): void {
  const components = (document.components?.schemas ?? {}) as Components;
  const fill = (content: Record<string, Media> | undefined, status?: string) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      if (media.example !== undefined || media.examples !== undefined) continue;
      const isError = status !== undefined && Number(status) >= 400 && media.schema && '$ref' in media.schema && media.schema.$ref.endsWith('/Error');
      if (isError) media.example = errorExample(status);
      else if (type.startsWith('text/') && !media.schema) media.example = '';
      else media.example = exampleOf(media.schema, components);
    }
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(
      item as Record<string, { requestBody?: { content?: Record<string, Media> }; responses?: Record<string, { content?: Record<string, Media> }> }>,
    )) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      fill(operation.requestBody?.content);
      for (const [status, response] of Object.entries(operation.responses ?? {})) fill(response.content, status);
    }
  }
}
