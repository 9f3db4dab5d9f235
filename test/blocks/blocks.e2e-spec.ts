// /api/blocks through the real application: the catalogue, one block, and running blocks, with auth,
// scopes, config credentials and the node time limit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_KEY, makeKey, makeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('/api/blocks', () => {
  let t: TestApp;
  let configDir: string;
  const api = (method: 'get' | 'post', path: string, key = ADMIN_KEY) => request(t.http)[method](path).set('X-API-Key', key);

  beforeAll(async () => {
    // The shipped configuration plus a credentials.yaml naming a webhook secret read from the environment.
    configDir = mkdtempSync(join(tmpdir(), 'trellis-blocks-config-'));
    for (const file of readdirSync('config')) copyFileSync(join('config', file), join(configDir, file));
    writeFileSync(join(configDir, 'credentials.yaml'), 'hook-secret:\n  provider: webhook\n  type: webhook_secret\n  env: { secret: TEST_HOOK_SECRET }\n');
    t = await createTestApp({
      label: 'blocks',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_CONFIG_DIR: configDir, TEST_HOOK_SECRET: 'not-shown-anywhere' },
    });
  });

  afterAll(async () => {
    await t.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('needs credentials', async () => {
    const res = await request(t.http).get('/api/blocks').expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('lists every block with its schemas, credentials, cost and pin modes', async () => {
    const res = await api('get', '/api/blocks').expect(200);
    expect(res.body.next_cursor).toBeNull();
    const ids = res.body.items.map((b: { id: string }) => b.id);
    expect(ids).toEqual(expect.arrayContaining(['input', 'output', 'text.template', 'list.collect', 'code.js', 'trigger.github']));
    const collect = res.body.items.find((b: { id: string }) => b.id === 'list.collect');
    expect(collect).toMatchObject({
      category: 'data',
      cost: 0,
      pin_modes: { item: 'gather', key: 'gather', count: 'sticky' },
      streaming: false,
      credentials: {},
    });
    expect(Object.keys(collect.output_schema.properties)).toEqual(['items', 'complete', 'error']);
    const iterate = res.body.items.find((b: { id: string }) => b.id === 'list.iterate');
    expect(iterate.streaming).toBe(true);
  });

  it("lists each block's error codes with whether they are transient, the codes it fails with among them", async () => {
    const res = await api('get', '/api/blocks').expect(200);
    const errorsOf = (id: string) =>
      Object.fromEntries(
        (res.body.items.find((b: { id: string }) => b.id === id).errors as Array<{ code: string; description: string; transient: boolean }>).map((e) => [
          e.code,
          e.transient,
        ]),
      );
    expect(errorsOf('http.request')).toMatchObject({
      HTTP_STATUS: false,
      OUTBOUND_TIMEOUT: true,
      OUTBOUND_REQUEST_FAILED: true,
      NODE_TIMEOUT: true,
      INVALID_INPUT: false,
    });
    expect(errorsOf('llm.structured')).toMatchObject({ LLM_AUTH_FAILED: false, LLM_RATE_LIMITED: true, LLM_UNAVAILABLE: true, LLM_INVALID_ANSWER: false });
    expect(errorsOf('slack.post')).toMatchObject({ SLACK_RATE_LIMITED: true, SLACK_REJECTED: false });
    for (const block of res.body.items as Array<{ errors: Array<{ description: string }> }>)
      for (const error of block.errors) expect(error.description.length).toBeGreaterThan(0);

    const one = await api('get', '/api/blocks/math.calculate').expect(200);
    const division = await api('post', '/api/blocks/math.calculate/execute')
      .send({ inputs: { a: 1, operation: 'divide', b: 0 } })
      .expect(422);
    expect(one.body.errors).toContainEqual({ code: division.body.error.code, description: expect.any(String), transient: false });
  });

  it('answers one block, dotted id and all', async () => {
    const res = await api('get', '/api/blocks/text.template').expect(200);
    expect(res.body).toMatchObject({ id: 'text.template', category: 'text', cost: 0 });
    expect(res.body.input_schema).toMatchObject({ type: 'object', required: ['template'], additionalProperties: false });
  });

  it('answers 404 naming the id and the closest ids', async () => {
    const res = await api('get', '/api/blocks/text.templat').expect(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', details: { block: 'text.templat', suggestions: ['text.template'] } });
    expect(res.body.error.message).toContain('Did you mean "text.template"?');
    await api('post', '/api/blocks/no.such.block/execute').send({ inputs: {} }).expect(404);
  });

  it('runs text.template and answers every yield', async () => {
    const res = await api('post', '/api/blocks/text.template/execute')
      .send({ inputs: { template: 'Hello {{ name }}, you have {{ items | size }} items', values: { name: 'Ada', items: [1, 2] } } })
      .expect(200);
    expect(res.body).toEqual({ outputs: [{ pin: 'text', value: 'Hello Ada, you have 2 items' }] });
  });

  it('answers every yield in order for a block that yields many', async () => {
    const res = await api('post', '/api/blocks/list.iterate/execute')
      .send({ inputs: { items: ['a', 'b'] } })
      .expect(200);
    expect(res.body.outputs).toEqual([
      { pin: 'count', value: 2 },
      { pin: 'item', value: 'a' },
      { pin: 'key', value: 0 },
      { pin: 'item', value: 'b' },
      { pin: 'key', value: 1 },
    ]);
  });

  it('runs sandboxed code.js', async () => {
    const res = await api('post', '/api/blocks/code.js/execute')
      .send({ inputs: { code: 'console.log("hi"); return input.map((n) => n * 2);', input: [1, 2] } })
      .expect(200);
    expect(res.body.outputs).toEqual([
      { pin: 'result', value: [2, 4] },
      { pin: 'logs', value: ['hi'] },
    ]);
  });

  it('answers 400 INVALID_INPUT naming each wrong pin', async () => {
    const res = await api('post', '/api/blocks/text.template/execute')
      .send({ inputs: { values: 'x', extra: 1 } })
      .expect(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    const problems = res.body.error.details.problems as Array<{ pin: string; pointer: string }>;
    expect(problems.map((p) => p.pin).sort()).toEqual(['extra', 'template', 'values']);
    expect(res.body.error.request_id).toEqual(expect.any(String));
  });

  it('answers 400 VALIDATION_FAILED for a malformed body', async () => {
    const res = await api('post', '/api/blocks/text.template/execute')
      .send({ input: {}, credentials: { secret: 5 } })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const pointers = res.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort();
    expect(pointers).toEqual(['/credentials', '/input']);
  });

  it("answers 422 with the block's own code when the block fails", async () => {
    const template = await api('post', '/api/blocks/text.template/execute')
      .send({ inputs: { template: 'Hi {{ nobody }}' } })
      .expect(422);
    expect(template.body.error).toMatchObject({ code: 'TEMPLATE_ERROR', details: { variable: 'nobody' } });
    const division = await api('post', '/api/blocks/math.calculate/execute')
      .send({ inputs: { a: 1, operation: 'divide', b: 0 } })
      .expect(422);
    expect(division.body.error.code).toBe('DIVISION_BY_ZERO');
  });

  it('answers 400 NEEDS_ENGINE for a block that suspends (agent.run starts a child)', async () => {
    const child = await api('post', '/api/blocks/agent.run/execute')
      .send({ inputs: { agent: 'child-agent' } })
      .expect(400);
    expect(child.body.error).toMatchObject({ code: 'NEEDS_ENGINE', message: expect.stringContaining('only runs inside an execution') });
  });

  it('resolves credentials from config/credentials.yaml, and never shows the secret', async () => {
    const res = await api('post', '/api/blocks/trigger.webhook/execute')
      .send({ inputs: { event: { body: { ok: 1 } } }, credentials: { secret: 'hook-secret' } })
      .expect(200);
    expect(res.body.outputs[0]).toEqual({ pin: 'body', value: { ok: 1 } });
    expect(JSON.stringify(res.body)).not.toContain('not-shown-anywhere');
  });

  it('answers 400 CREDENTIAL_UNRESOLVED listing every field that does not resolve', async () => {
    const res = await api('post', '/api/blocks/trigger.webhook/execute')
      .send({ inputs: {}, credentials: { secret: 'hook-secrt', token: 'x' } })
      .expect(400);
    expect(res.body.error.code).toBe('CREDENTIAL_UNRESOLVED');
    const messages = res.body.error.details.problems.map((p: { message: string }) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringContaining('no credential named "hook-secrt"'), expect.stringContaining('has no credential field "token"')]),
    );
    expect(JSON.stringify(res.body)).not.toContain('not-shown-anywhere');
  });

  it('needs graphs:read to read the catalogue and executions:run to run a block', async () => {
    const user = await makeUser(t, 'blockreader');
    const reader = await makeKey(t, user.key, ['graphs:read']);
    await api('get', '/api/blocks', reader.key).expect(200);
    const denied = await api('post', '/api/blocks/text.join/execute', reader.key)
      .send({ inputs: { items: [] } })
      .expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    const runner = await makeKey(t, user.key, ['executions:run']);
    await api('post', '/api/blocks/text.join/execute', runner.key)
      .send({ inputs: { items: ['a', 'b'] } })
      .expect(200);
    await api('get', '/api/blocks', runner.key).expect(403);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await request(t.http).get('/api/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/blocks', '/api/blocks/{block_id}', '/api/blocks/{block_id}/execute']));
    expect(Object.keys(doc.body.paths['/api/blocks/{block_id}/execute'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '422', '504']));
  });
});

describe('/api/blocks with a short executor.node_timeout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ label: 'blockstimeout', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY }, overrides: { executor: { node_timeout: '300ms' } } });
  });
  afterAll(() => t.close());

  it('answers 504 NODE_TIMEOUT when a block runs past it', async () => {
    const res = await request(t.http)
      .post('/api/blocks/time.delay/execute')
      .set('X-API-Key', ADMIN_KEY)
      .send({ inputs: { duration: '1h', value: 1 } })
      .expect(504);
    expect(res.body.error.code).toBe('NODE_TIMEOUT');
    expect(res.body.error.message).toContain('300ms');
  });
});
