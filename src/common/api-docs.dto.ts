// The OpenAPI vocabulary every controller shares: named answer schemas (components), the error body, cursor
// pages, the authentication of /api routes and a decorator that documents an operation's answers in one line.
// Answer shapes are plain JSON Schema beside each module's DTOs; the drift test (test/docs/openapi.e2e-spec.ts)
// validates real answers against them, so a shape that drifts from the code fails there.
import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';

export type { ReferenceObject, SchemaObject };
export type AnswerSchema = SchemaObject | ReferenceObject;

const components = new Map<string, SchemaObject>();

/** Registers a named schema (shown once under components.schemas) and answers a reference to it. */
export function apiSchema(name: string, schema: SchemaObject): ReferenceObject {
  const known = components.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`OpenAPI schema ${name} is defined twice, differently`);
  components.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/** Every schema registered by apiSchema, for the document's components. */
export function apiSchemaComponents(): Record<string, SchemaObject> {
  return Object.fromEntries([...components].sort(([a], [b]) => a.localeCompare(b)));
}

/** Nullable in OpenAPI 3.0 (the version @nestjs/swagger writes). */
export function nullable(schema: SchemaObject): SchemaObject {
  return { ...schema, nullable: true };
}

export const TIME: SchemaObject = { type: 'string', format: 'date-time' };
export const ANY_OBJECT: SchemaObject = { type: 'object', additionalProperties: true };

export const ERROR_BODY = apiSchema('Error', {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'request_id'],
      properties: {
        code: { type: 'string', example: 'NOT_FOUND' },
        message: { type: 'string', description: 'What went wrong and what to do about it.' },
        details: { type: 'object', additionalProperties: true, description: 'For 400: problems [{file?, line?, column?, pointer?, node?, pin?, message}].' },
        request_id: { type: 'string' },
      },
    },
  },
  example: { error: { code: 'NOT_FOUND', message: 'No graph named "helo-world". Did you mean "hello-world"?', details: {}, request_id: 'req_01J...' } },
});

/** `{items, next_cursor}`: every list of the API. */
export function pageOf(item: AnswerSchema): SchemaObject {
  return {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: { items: { type: 'array', items: item }, next_cursor: { type: 'string', nullable: true, description: 'Pass as ?cursor= for the next page.' } },
  };
}

const ERROR_MEANINGS: Record<number, string> = {
  400: 'VALIDATION_FAILED (details.problems lists every problem) or BAD_REQUEST',
  401: 'UNAUTHENTICATED: no valid API key or JWT',
  402: 'INSUFFICIENT_CREDITS',
  403: 'FORBIDDEN: the key lacks the scope or the role this needs',
  404: 'NOT_FOUND (or not yours to see)',
  409: 'CONFLICT (or FILE_MANAGED: a graph from a file)',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: "The block's own failure, with its code",
  429: 'RATE_LIMITED (Retry-After says when to come back)',
  500: 'INTERNAL (the request id is in the log line)',
  503: 'UNAVAILABLE',
  504: 'NODE_TIMEOUT',
};

/** The response object of an error status with the common body (for answers added to the whole document). */
export function errorResponse(status: number): { description: string; content: Record<string, { schema: ReferenceObject }> } {
  return { description: ERROR_MEANINGS[status] ?? 'Error', content: { 'application/json': { schema: ERROR_BODY } } };
}

/** One error answer: the common error body, with a description (the code's usual meaning unless given). */
export function ApiError(status: number, description?: string): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description: description ?? ERROR_MEANINGS[status] ?? 'Error', schema: ERROR_BODY });
}

export interface Answer {
  status: number;
  schema: AnswerSchema;
  description: string;
  /** Content type when not JSON (text/markdown, image/svg+xml...). */
  contentType?: string;
}

/** The success answer(s) and the error statuses of one operation; answers of one status share it (by content type). */
export function ApiAnswers(answers: Answer | Answer[], ...errors: number[]): MethodDecorator {
  const byStatus = new Map<number, Answer[]>();
  for (const answer of Array.isArray(answers) ? answers : [answers]) byStatus.set(answer.status, [...(byStatus.get(answer.status) ?? []), answer]);
  return applyDecorators(
    ...[...byStatus].map(([status, same]) =>
      ApiResponse({
        status,
        description: same.map((answer) => answer.description).join('; '),
        content: Object.fromEntries(same.map((answer) => [answer.contentType ?? 'application/json', { schema: answer.schema }])),
      }),
    ),
    ...errors.map((status) => ApiError(status)),
  );
}

/** An /api controller: API key or JWT, and the answers any authenticated route may give (401, 429). */
export function ApiAuthenticated(): ClassDecorator {
  return applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('api_key'), ApiError(401), ApiError(429));
}

/**
 * A route Nest registers for every method (@All) that is one operation to a reader: documented as POST,
 * with the methods it may answer in `x-trellis-methods` (bootstrap's document builder folds the copies).
 */
export function ApiAnyMethod(methods: readonly string[]): MethodDecorator {
  return ApiExtension('x-trellis-methods', [...methods]);
}
