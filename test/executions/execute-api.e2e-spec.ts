// The execution API end to end on the in-process dispatcher: execute (202, ?wait), every refusal (400,
// 404), failures, stop, detail, nodes, results, lists with cursors, re-run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-0123';

describe('execution API (in-process dispatch)', () => {
  let t: TestApp;
  const api = () => request(t.http);

  beforeAll(async () => {
    t = await createTestApp({ label: 'execapi', env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false } } });
    await saveAgent(t.dataSource, echoAgent('echo'));
    await saveAgent(t.dataSource, echoAgent('parse', { parse: node('json.parse') }, [link('text.value', 'parse.text'), link('parse.value', 'result.value')]));
    await saveAgent(
      t.dataSource,
      echoAgent('handled', { parse: node('json.parse'), oops: node('output', { name: 'oops' }) }, [
        link('text.value', 'parse.text'),
        link('parse.value', 'result.value'),
        link('parse.error', 'oops.value'),
      ]),
    );
    await saveAgent(
      t.dataSource,
      echoAgent('slow', { wait: node('time.delay', { duration: '30s' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
    );
  });
  afterAll(async () => t?.close());

  it('runs an agent and answers its outputs with ?wait', async () => {
    const res = await api()
      .post('/api/graphs/echo/execute?wait=10s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ execution_id: expect.any(String), status: 'COMPLETED', outputs: { result: ['hi'] }, error: null });
    const detail = await api().get(`/api/executions/${res.body.execution_id}`).set('X-API-Key', ADMIN);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: res.body.execution_id,
      graph_id: 'echo',
      graph_version: 1,
      status: 'COMPLETED',
      source: 'api',
      inputs: { text: 'hi' },
      outputs: { result: ['hi'] },
      error: null,
      cost: 0,
    });
    expect(detail.body.ended_at).toEqual(expect.any(String));
    expect(detail.body.node_executions.map((n: { node_id: string; status: string }) => [n.node_id, n.status])).toEqual([
      ['text', 'COMPLETED'],
      ['result', 'COMPLETED'],
    ]);
    const results = await api().get(`/api/executions/${res.body.execution_id}/results`).set('X-API-Key', ADMIN);
    expect(results.body).toEqual({ status: 'COMPLETED', outputs: { result: ['hi'] } });
  });

  it('answers 202 with the QUEUED execution, which then completes', async () => {
    const res = await api()
      .post('/api/graphs/parse/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: '{"a":1}' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'QUEUED', graph_id: 'parse', outputs: null });
    const done = await waitFor(
      () => api().get(`/api/executions/${res.body.id}`).set('X-API-Key', ADMIN),
      (r) => r.body.status === 'COMPLETED',
      { what: 'COMPLETED' },
    );
    expect(done.body.outputs).toEqual({ result: [{ a: 1 }] });
    expect(done.body.node_executions.find((n: { node_id: string }) => n.node_id === 'parse').attempts).toEqual([
      { attempt: 1, started_at: expect.any(String), ended_at: expect.any(String), error: null },
    ]);
  });

  it('fails the execution when a block fails and its error pin is not linked', async () => {
    const res = await api()
      .post('/api/graphs/parse/execute?wait=10s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'not json' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('FAILED');
    expect(res.body.error).toMatchObject({ code: 'PARSE_ERROR', node_id: 'parse' });
  });

  it('routes a handled failure along the error pin and completes', async () => {
    const res = await api()
      .post('/api/graphs/handled/execute?wait=10s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'not json' } });
    expect(res.body.status).toBe('COMPLETED');
    expect(res.body.outputs.result).toEqual([]);
    expect(res.body.outputs.oops).toEqual([{ code: 'PARSE_ERROR', message: expect.any(String) }]);
  });

  it('refuses bad inputs with 400 listing every problem, and creates nothing', async () => {
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`);
    const missing = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { txt: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(missing.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual(['/inputs/text', '/inputs/txt']);
    const typed = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 42 } });
    expect(typed.status).toBe(400);
    expect(typed.body.error.details.problems[0].pointer).toBe('/inputs/text');
    const trigger = await api()
      .post('/api/graphs/echo/execute')
      .set('X-API-Key', ADMIN)
      .send({ trigger: { node: 'nope', outputs: {} } });
    expect(trigger.status).toBe(400);
    expect(trigger.body.error.details.problems[0]).toMatchObject({ pointer: '/trigger/node' });
    const shape = await api().post('/api/graphs/echo/execute').set('X-API-Key', ADMIN).send({ inputs: [], extra: 1 });
    expect(shape.status).toBe(400);
    expect(shape.body.error.details.problems).toHaveLength(2);
    const wait = await api()
      .post('/api/graphs/echo/execute?wait=2m')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } });
    expect(wait.status).toBe(400);
    const after = await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('answers 404 for an unknown agent, version or execution', async () => {
    expect((await api().post('/api/graphs/nothing/execute').set('X-API-Key', ADMIN).send({ inputs: {} })).status).toBe(404);
    expect(
      (
        await api()
          .post('/api/graphs/echo/execute/7')
          .set('X-API-Key', ADMIN)
          .send({ inputs: { text: 'x' } })
      ).status,
    ).toBe(404);
    expect((await api().get('/api/executions/00000000-0000-0000-0000-000000000000').set('X-API-Key', ADMIN)).status).toBe(404);
    expect((await api().get('/api/executions/not-a-uuid').set('X-API-Key', ADMIN)).status).toBe(404);
  });

  it('stops a running execution: CANCELLED within 2 s, its waiting node too', async () => {
    const res = await api()
      .post('/api/graphs/slow/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } });
    await waitFor(
      () => t.dataSource.query(`SELECT status FROM node_executions WHERE execution_id = $1 AND node_id = 'wait'`, [res.body.id]),
      (rows: Array<{ status: string }>) => rows[0]?.status === 'WAITING',
      { what: 'the delay to wait' },
    );
    const stopped = await api().post(`/api/graphs/slow/executions/${res.body.id}/stop`).set('X-API-Key', ADMIN);
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('CANCELLED');
    expect(stopped.body.error).toMatchObject({ code: 'CANCELLED' });
    const nodes = await api().get(`/api/executions/${res.body.id}/nodes?status=CANCELLED`).set('X-API-Key', ADMIN);
    expect(nodes.body.items.map((n: { node_id: string }) => n.node_id)).toEqual(['wait']);
    const again = await api().post(`/api/graphs/slow/executions/${res.body.id}/stop`).set('X-API-Key', ADMIN);
    expect(again.body).toEqual(stopped.body);
    expect((await api().post(`/api/graphs/echo/executions/${res.body.id}/stop`).set('X-API-Key', ADMIN)).status).toBe(404);
  });

  it('lists executions newest first with cursors, filtered', async () => {
    for (const text of ['a', 'b', 'c']) await api().post('/api/graphs/echo/execute?wait=10s').set('X-API-Key', ADMIN).send({ inputs: { text } });
    const first = await api().get('/api/executions?graph_id=echo&limit=2').set('X-API-Key', ADMIN);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].inputs).toEqual({ text: 'c' });
    const second = await api().get(`/api/executions?graph_id=echo&limit=2&cursor=${first.body.next_cursor}`).set('X-API-Key', ADMIN);
    expect(second.body.items[0].inputs).toEqual({ text: 'a' });
    const all = [...first.body.items, ...second.body.items].map((e: { id: string }) => e.id);
    expect(new Set(all).size).toBe(all.length);
    expect((await api().get('/api/executions?cursor=garbage').set('X-API-Key', ADMIN)).status).toBe(400);
    const failed = await api().get('/api/executions?status=FAILED').set('X-API-Key', ADMIN);
    expect(failed.body.items.every((e: { status: string }) => e.status === 'FAILED')).toBe(true);
  });

  it('re-runs an execution with the same inputs (source rerun)', async () => {
    const first = await api()
      .post('/api/graphs/echo/execute?wait=10s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'again' } });
    const rerun = await api().post(`/api/executions/${first.body.execution_id}/rerun`).set('X-API-Key', ADMIN);
    expect(rerun.status).toBe(202);
    expect(rerun.body).toMatchObject({ source: 'rerun', inputs: { text: 'again' }, graph_version: 1 });
    const done = await waitFor(
      () => api().get(`/api/executions/${rerun.body.id}/results`).set('X-API-Key', ADMIN),
      (r) => r.body.status === 'COMPLETED',
    );
    expect(done.body.outputs).toEqual({ result: ['again'] });
  });
});
