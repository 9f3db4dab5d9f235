import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { addOperationExamples, errorExample, exampleOf } from './openapi-examples.js';

describe('OpenAPI examples', () => {
  const components = {
    Thing: {
      type: 'object' as const,
      properties: { id: { type: 'string' as const }, graph_id: { type: 'string' as const }, created_at: { type: 'string' as const } },
    },
  };

  it("prefers the schema's own example, then its default and first enum value", () => {
    expect(exampleOf({ type: 'string', example: 'given', default: 'default' }, {})).toBe('given');
    expect(exampleOf({ type: 'integer', default: 7 }, {})).toBe(7);
    expect(exampleOf({ type: 'string', enum: ['QUEUED', 'RUNNING'] }, {})).toBe('QUEUED');
  });

  it('builds objects through references, with values by property name and format', () => {
    expect(exampleOf({ type: 'array', items: { $ref: '#/components/schemas/Thing' } }, components)).toEqual([
      { id: expect.stringMatching(/^[0-9a-f-]{36}$/), graph_id: 'hello-world', created_at: '2026-12-07T09:30:00.000Z' },
    ]);
    expect(exampleOf({ type: 'string', format: 'email' }, {})).toBe('ada@example.com');
    expect(exampleOf({ type: 'string', nullable: true }, {}, 'unknown_key')).toBeNull();
  });

  it("answers the common error body with the status's usual code", () => {
    expect(errorExample('404')).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), details: {}, request_id: expect.any(String) } });
    expect(errorExample('429')).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  });

  it('fills in request bodies and answers that have no example, and keeps those that do', () => {
    const document = {
      paths: {
        '/things': {
          post: {
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            responses: {
              '201': { description: 'made', content: { 'application/json': { schema: { type: 'object' }, example: { kept: true } } } },
              '404': { description: 'gone', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
            },
          },
        },
      },
      components: { schemas: components },
    } as unknown as OpenAPIObject;
    addOperationExamples(document);
    const post = (
      document.paths['/things'] as {
        post: { requestBody: { content: Record<string, { example: unknown }> }; responses: Record<string, { content: Record<string, { example: unknown }> }> };
      }
    ).post;
    expect(post.requestBody.content['application/json']!.example).toMatchObject({ graph_id: 'hello-world' });
    expect(post.responses['201']!.content['application/json']!.example).toEqual({ kept: true });
    expect(post.responses['404']!.content['application/json']!.example).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
