// Finishing touches on the generated OpenAPI document: the named answer schemas of api-docs.dto.ts, and one
// operation (POST, listing its methods) for each route registered for every method, instead of nine copies.
import type { OpenAPIObject } from '@nestjs/swagger';
import { apiSchemaComponents } from './api-docs.dto.js';

const ANY_METHOD = 'x-trellis-methods';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'search', 'query'] as const;

export function finishOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...apiSchemaComponents() } };
  for (const [path, item] of Object.entries(document.paths)) {
    const operations = item as Record<string, Record<string, unknown> | undefined>;
    const post = operations.post;
    if (!post || !(ANY_METHOD in post)) continue;
    const folded = Object.fromEntries(Object.entries(operations).filter(([method, operation]) => method === 'post' || !isCopy(method, operation)));
    if (typeof post.operationId === 'string') post.operationId = post.operationId.replace(/_post$/, '');
    document.paths[path] = folded;
  }
  return document;
}

/** The same @All handler documented for another method. */
function isCopy(method: string, operation: unknown): boolean {
  return (HTTP_METHODS as readonly string[]).includes(method) && typeof operation === 'object' && operation !== null && ANY_METHOD in operation;
}
