// The OpenAPI document against the server that serves it: every route Express really answers is documented
// with its methods, every operation says what it answers (with a schema), /api is authenticated and the
// webhooks are not, real answers of a sample of routes have a documented status and validate against the
// documented schema (ajv), every request body and answer has an example that fits its schema, the statuses
// every operation can answer are there (400, 404, 413, 500 as its inputs imply), and docs/openapi.json is the
// served document (`npm run docs:generate` rewrites it).
import { readFileSync, writeFileSync } from 'node:fs';
import { METHODS } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import request, { type Response } from 'supertest';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/app.js';
import { GENERATED_DOCS_WRITE } from './generated.js';

type Json = Record<string, unknown>;
type Content = Record<string, { schema?: Json; example?: unknown }>;
interface Operation {
  tags?: string[];
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Content };
  responses: Record<string, { content?: Content }>;
  'x-trellis-methods'?: string[];
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };

const COMMITTED = join(process.cwd(), 'docs', 'openapi.json');
const DOC_ROUTES = /^\/api\/(docs|openapi)/;

/** What Express answers: [method, path in OpenAPI form] for every route of the router ('all' for @All). */
function expressRoutes(t: TestApp): Array<[string, string]> {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  const routes: Array<[string, string]> = [];
  for (const layer of express.router.stack) {
    if (!layer.route || DOC_ROUTES.test(layer.route.path)) continue;
    const path = layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const methods = Object.keys(layer.route.methods).filter((method) => layer.route!.methods[method]);
    // Express expands a route for every method (@All) into each method it knows.
    if (methods.length >= METHODS.length) routes.push(['all', path]);
    else for (const method of methods) routes.push([method, path]);
  }
  return routes;
}

/** OpenAPI 3.0 `nullable` as JSON Schema: type [T, 'null'] (ajv has no `nullable` keyword). */
function jsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonSchema);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string') out[key] = inner.replace('#/components/schemas/', 'openapi#/components/schemas/');
    else if (key !== 'nullable' && key !== 'example') out[key] = jsonSchema(inner);
  }
  if ((value as Json).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApi;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    t = await createTestApp({ label: 'openapi' });
    doc = (await request(t.http).get('/api/openapi.json').expect(200)).body as OpenApi;
    ajv.addSchema(jsonSchema({ components: doc.components }) as Json, 'openapi');
  });
  afterAll(async () => {
    await t.close();
  });

  /** The request's answer has a status the operation documents, and its body fits that status's schema. */
  function conforms(method: string, template: string, res: Response): void {
    const operation = doc.paths[template]?.[method];
    if (!operation) throw new Error(`${method.toUpperCase()} ${template} is not documented`);
    const answer = operation.responses[String(res.status)];
    if (!answer) throw new Error(`${method.toUpperCase()} ${template} answered ${res.status}, documented: ${Object.keys(operation.responses).join(', ')}; body ${res.text}`);
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!;
    const schema = answer.content?.[type]?.schema;
    if (!schema) throw new Error(`${method.toUpperCase()} ${template} ${res.status} answered ${type}, documented: ${Object.keys(answer.content ?? {}).join(', ')}`);
    const key = `${method} ${template} ${res.status} ${type}`;
    let validate = validators.get(key);
    if (!validate) validators.set(key, (validate = ajv.compile(jsonSchema(schema) as Json)));
    const body: unknown = type === 'application/json' ? res.body : (res.text ?? Buffer.from(res.body as Buffer).toString('utf8'));
    if (!validate(body)) throw new Error(`${key}: the answer does not fit the documented schema: ${ajv.errorsText(validate.errors)}\n${(res.text ?? JSON.stringify(res.body)).slice(0, 2000)}`);
  }

  it('documents every route Express answers, with the methods it answers, and nothing else', () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)));
    const answered = new Set<string>();
    for (const [method, path] of expressRoutes(t)) {
      if (method === 'all') {
        // One operation (POST) that lists every method the route may answer.
        const post = doc.paths[path]?.post;
        expect({ route: `ALL ${path}`, methods: post?.['x-trellis-methods'] }).toEqual({ route: `ALL ${path}`, methods: expect.arrayContaining(['POST']) });
        expect(Object.keys(doc.paths[path]!)).toEqual(['post']);
        answered.add(`post ${path}`);
      } else {
        answered.add(`${method} ${path}`);
      }
    }
    expect([...answered].filter((route) => !documented.has(route)).sort()).toEqual([]);
    expect([...documented].filter((route) => !answered.has(route)).sort()).toEqual([]);
    expect(answered.size).toBeGreaterThan(50);
  });

  it('says what every operation answers: a schema for every success but 204, the error body for every error', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.summary) problems.push(`${name}: no summary`);
        if (!operation.tags?.length) problems.push(`${name}: no tag`);
        const statuses = Object.keys(operation.responses);
        if (!statuses.some((status) => status.startsWith('2'))) problems.push(`${name}: no success answer documented`);
        for (const status of statuses) {
          const content = operation.responses[status]!.content ?? {};
          const schemas = Object.values(content).filter((media) => media.schema);
          if (status !== '204' && schemas.length === 0) problems.push(`${name} ${status}: no schema`);
          // /health/ready's 503 is its own report, not an error of the API; a reviewer's link page (/reviews/{id})
          // answers HTML pages, errors included (release-2.md section 3).
          const ownAnswers = name === 'GET /health/ready' || path === '/reviews/{id}';
          if (Number(status) >= 400 && !ownAnswers && !Object.values(content).every((media) => media.schema?.$ref === '#/components/schemas/Error'))
            problems.push(`${name} ${status}: not the common error body`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows an example of every request body and every answer, and each fits its schema', () => {
    const problems: string[] = [];
    let examples = 0;
    const check = (name: string, content: Content | undefined) => {
      for (const [type, media] of Object.entries(content ?? {})) {
        if (media.example === undefined) {
          problems.push(`${name} ${type}: no example`);
          continue;
        }
        examples++;
        if (!media.schema) continue;
        const validate = ajv.compile(jsonSchema(media.schema) as Json);
        if (!validate(media.example)) problems.push(`${name} ${type}: the example does not fit the schema: ${ajv.errorsText(validate.errors)}`);
      }
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        check(`${name} request body`, operation.requestBody?.content);
        for (const [status, response] of Object.entries(operation.responses)) check(`${name} ${status}`, response.content);
      }
    }
    expect(problems).toEqual([]);
    expect(examples).toBeGreaterThan(300);
  });

  it('documents the errors every operation can answer: 400 for a body or query, 404 for a path parameter, 413 for a body, 500', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        // A reviewer's link page answers its own HTML pages for bad input (release-2.md section 3).
        if (path === '/reviews/{id}') continue;
        const statuses = Object.keys(operation.responses);
        const parameters = operation.parameters ?? [];
        const needed = [
          ...(operation.requestBody || parameters.some((p) => p.in === 'query') ? ['400'] : []),
          ...(parameters.some((p) => p.in === 'path') ? ['404'] : []),
          ...(operation.requestBody ? ['413'] : []),
          '500',
        ];
        for (const status of needed) if (!statuses.includes(status)) problems.push(`${method.toUpperCase()} ${path}: ${status} not documented`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('marks /api as authenticated (API key or JWT) and the webhooks, health and OAuth2 callback as open', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const open = !path.startsWith('/api/') || path.endsWith('/callback');
        const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement)).sort();
        if (open && schemes.length > 0) problems.push(`${method.toUpperCase()} ${path} is public but documented with ${schemes.join(', ')}`);
        if (!open && schemes.join() !== 'api_key,bearer') problems.push(`${method.toUpperCase()} ${path} needs credentials but documents ${schemes.join(', ') || 'none'}`);
        if (!open && !operation.responses['401']) problems.push(`${method.toUpperCase()} ${path}: 401 not documented`);
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(doc.paths['/webhooks/{agent}/{node}'] ?? {})).toEqual(['post']);
  });

  it('documents execute as it answers: 202 or 200 (with ?wait=), never 201, with its body and the wait parameter', () => {
    for (const path of ['/api/graphs/{id}/execute', '/api/graphs/{id}/execute/{version}']) {
      const execute = doc.paths[path]!.post! as Operation & { parameters: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, unknown> } };
      expect(Object.keys(execute.responses).filter((status) => status.startsWith('2'))).toEqual(['200', '202']);
      expect(execute.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'wait', in: 'query' })]));
      expect(Object.keys(execute.requestBody?.content ?? {})).toEqual(['application/json']);
    }
  });

  it('documents the statuses and bodies real requests get', async () => {
    const http = request(t.http);
    const admin = { 'X-API-Key': TEST_ADMIN_KEY };
    conforms('get', '/health', await http.get('/health'));
    conforms('get', '/health/ready', await http.get('/health/ready'));
    conforms('get', '/metrics', await http.get('/metrics'));
    conforms('get', '/api/graphs', await http.get('/api/graphs'));
    conforms('get', '/api/graphs', await http.get('/api/graphs').set(admin));

    const graph = {
      name: 'openapi-probe',
      nodes: {
        hook: { block: 'trigger.webhook' },
        who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' } },
        greet: { block: 'text.template', inputs: { template: 'Hello, {{ who }}!' } },
        greeting: { block: 'output', inputs: { name: 'greeting' } },
      },
      links: ['who.value -> greet.values.who', 'greet.text -> greeting.value'],
    };
    const created = await http.post('/api/graphs').set(admin).send(graph);
    conforms('post', '/api/graphs', created);
    expect(created.status).toBe(201);
    conforms('post', '/api/graphs', await http.post('/api/graphs').set(admin).send(graph));
    conforms('post', '/api/graphs', await http.post('/api/graphs').set(admin).send({ name: 'Bad Name', nodes: {} }));
    conforms('get', '/api/graphs/{id}', await http.get('/api/graphs/openapi-probe').set(admin));
    conforms('get', '/api/graphs/{id}', await http.get('/api/graphs/no-such-graph').set(admin));
    conforms('get', '/api/graphs/{id}/versions', await http.get('/api/graphs/openapi-probe/versions').set(admin));
    conforms('get', '/api/graphs/{id}/diagram', await http.get('/api/graphs/openapi-probe/diagram').set(admin));
    conforms('get', '/api/graphs/{id}/diagram', await http.get('/api/graphs/openapi-probe/diagram?format=svg').set(admin));
    conforms('post', '/api/graphs/{id}/presets', await http.post('/api/graphs/openapi-probe/presets').set(admin).send({ name: 'ada', inputs: { who: 'Ada' } }));
    conforms('get', '/api/graphs/{id}/presets', await http.get('/api/graphs/openapi-probe/presets').set(admin));

    const queued = await http.post('/api/graphs/openapi-probe/execute').set(admin).send({ inputs: { who: 'Ada' } });
    conforms('post', '/api/graphs/{id}/execute', queued);
    expect(queued.status).toBe(202);
    const finished = await http.post('/api/graphs/openapi-probe/execute?wait=10s').set(admin).send({ inputs: { who: 'Ada' } });
    conforms('post', '/api/graphs/{id}/execute', finished);
    expect(finished.body).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello, Ada!'] } });
    conforms('post', '/api/graphs/{id}/execute', await http.post('/api/graphs/openapi-probe/execute').set(admin).send({ inputz: {} }));
    conforms('post', '/api/graphs/{id}/execute/{version}', await http.post('/api/graphs/openapi-probe/execute/1?wait=10s').set(admin).send({}));
    const id = finished.body.execution_id as string;
    conforms('get', '/api/executions', await http.get('/api/executions').set(admin));
    conforms('get', '/api/executions/{id}', await http.get(`/api/executions/${id}`).set(admin));
    conforms('get', '/api/executions/{id}/nodes', await http.get(`/api/executions/${id}/nodes`).set(admin));
    conforms('get', '/api/executions/{id}/results', await http.get(`/api/executions/${id}/results`).set(admin));
    conforms('post', '/api/executions/{id}/rerun', await http.post(`/api/executions/${id}/rerun`).set(admin));
    conforms('post', '/api/graphs/{id}/executions/{exec_id}/stop', await http.post(`/api/graphs/openapi-probe/executions/${id}/stop`).set(admin));

    const hook = await http.post('/webhooks/openapi-probe/hook').send({ hello: 'world' });
    conforms('post', '/webhooks/{agent}/{node}', hook);
    expect(hook.status).toBe(202);
    conforms('post', '/webhooks/{agent}/{node}', await http.post('/webhooks/openapi-probe/nope').send({}));
    conforms('post', '/webhooks/github', await http.post('/webhooks/github').send({}));

    conforms('get', '/api/blocks', await http.get('/api/blocks').set(admin));
    conforms('get', '/api/blocks/{block_id}', await http.get('/api/blocks/text.template').set(admin));
    conforms('post', '/api/blocks/{block_id}/execute', await http.post('/api/blocks/text.template/execute').set(admin).send({ inputs: { template: 'Hi {{ n }}', values: { n: 1 } } }));
    conforms('get', '/api/agents/plan', await http.get('/api/agents/plan').set(admin));
    conforms('get', '/api/agents/sync', await http.get('/api/agents/sync').set(admin));
    conforms('get', '/api/agents/sync', await http.get('/api/agents/sync?limit=500').set(admin));
    conforms('post', '/api/agents/validate', await http.post('/api/agents/validate').set(admin).set('content-type', 'text/plain').send('name: x\nnodes: {}\n'));
    conforms('get', '/api/user', await http.get('/api/user').set(admin));
    conforms('get', '/api/user/api-keys', await http.get('/api/user/api-keys').set(admin));
    conforms('post', '/api/user/api-keys', await http.post('/api/user/api-keys').set(admin).send({ name: 'probe', scopes: ['graphs:read'] }));
    conforms('get', '/api/user/credits', await http.get('/api/user/credits').set(admin));
    conforms('get', '/api/user/credits/transactions', await http.get('/api/user/credits/transactions').set(admin));
    conforms('get', '/api/admin/users', await http.get('/api/admin/users').set(admin));
    conforms('get', '/api/integrations/credentials', await http.get('/api/integrations/credentials').set(admin));
    conforms('get', '/api/schedules', await http.get('/api/schedules').set(admin));
    conforms('get', '/api/notifications', await http.get('/api/notifications').set(admin));
    conforms('get', '/api/reviews', await http.get('/api/reviews').set(admin));
    conforms('get', '/api/reviews', await http.get('/api/reviews?status=approved').set(admin));
  });

  it('is the committed docs/openapi.json (npm run docs:generate rewrites it)', () => {
    const served = `${JSON.stringify(doc, null, 2)}\n`;
    if (GENERATED_DOCS_WRITE) writeFileSync(COMMITTED, served);
    expect(readFileSync(COMMITTED, 'utf8') === served ? 'current' : 'docs/openapi.json is stale: run npm run docs:generate and commit it').toBe('current');
  });
});
