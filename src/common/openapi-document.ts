// Finishing touches on the generated OpenAPI document: the named answer schemas of api-docs.dto.ts, one
// operation (POST, listing its methods) for each route registered for every method instead of nine copies,
// the error answers every operation can give (413 from the body parser, 500), and an example everywhere.
import type { OpenAPIObject } from '@nestjs/swagger';
import { apiSchemaComponents, errorResponse } from './api-docs.dto.js';
import { addOperationExamples } from './openapi-examples.js';

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
  addCommonErrors(document);
  addOperationExamples(document);
  return document;
}

/** Any operation may fail inside (500); any with a body may get one over server.body_limit (413). */
function addCommonErrors(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>)) {
      if (typeof operation !== 'object' || operation === null || !operation.responses) continue;
      const add = (status: number) => (operation.responses![String(status)] ??= errorResponse(status));
      if (operation.requestBody) add(413);
      add(500);
      operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
}

/** The same @All handler documented for another method. */
function isCopy(method: string, operation: unknown): boolean {
  return (HTTP_METHODS as readonly string[]).includes(method) && typeof operation === 'object' && operation !== null && ANY_METHOD in operation;
}
