// Dispatch on BullMQ (real Redis, a prefix of its own): sub-agents, long delays that give the execution
// back and wake it with a delayed job, agent concurrency FIFO, and Redis keys lost mid-run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { clearQueuePrefix } from '../helpers/queue.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-bullmq';

describe('executions on BullMQ', () => {
  let t: TestApp;
  const api = () => request(t.http);
  const status = async (id: string) => (await t.dataSource.query(`SELECT status FROM executions WHERE id = $1`, [id]))[0]?.status as string;

  beforeAll(async () => {
    t = await createTestApp({ label: 'execbull', redis: true, env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false } } });
    await saveAgent(t.dataSource, echoAgent('echo'));
    await saveAgent(t.dataSource, {
      name: 'parent',
      nodes: { text: node('input', { name: 'text' }), run: node('agent.run', { agent: 'echo' }), result: node('output', { name: 'result' }) },
      links: [
        { from: { node: 'text', pin: 'value', path: [] }, to: { node: 'run', pin: 'inputs', key: 'text' }, static: false },
        link('run.result', 'result.value'),
      ],
    });
    await saveAgent(t.dataSource, {
      name: 'badparent',
      nodes: { text: node('input', { name: 'text' }), run: node('agent.run', { agent: 'echo' }), result: node('output', { name: 'result' }) },
      links: [
        { from: { node: 'text', pin: 'value', path: [] }, to: { node: 'run', pin: 'inputs', key: 'wrong' }, static: false },
        link('run.result', 'result.value'),
      ],
    });
    await saveAgent(
      t.dataSource,
      echoAgent('sleepy', { wait: node('time.delay', { duration: '2500ms' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
    );
    await saveAgent(t.dataSource, {
      ...echoAgent('single', { wait: node('time.delay', { duration: '200ms' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
      concurrency: 1,
    });
  });
  afterAll(async () => t?.close());

  it('runs a sub-agent: the parent waits for the child and yields its outputs', async () => {
    const res = await api()
      .post('/api/graphs/parent/execute?wait=15s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'from parent' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'COMPLETED', outputs: { result: ['from parent'] } });
    const children = await t.dataSource.query(`SELECT source, depth, parent_id, status, user_id FROM executions WHERE parent_id = $1`, [res.body.execution_id]);
    expect(children).toEqual(
      [{ source: 'agent', depth: 1, parent_id: res.body.execution_id, status: 'COMPLETED', user_id: 'admin' }].map((c) => ({
        ...c,
        user_id: expect.any(String),
      })),
    );
  });

  it('fails the parent with CHILD_FAILED when the child fails', async () => {
    const res = await api()
      .post('/api/graphs/badparent/execute?wait=15s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } });
    expect(res.body.status).toBe('FAILED');
    expect(res.body.error).toMatchObject({ code: 'CHILD_FAILED', node_id: 'run' });
    expect(res.body.error.message).toContain('MISSING_INPUT');
  });

  it('gives a long delay back and is woken by a delayed job, even when Redis lost its keys meanwhile', async () => {
    const res = await api()
      .post('/api/graphs/sleepy/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'later' } });
    await waitFor(
      () => t.dataSource.query(`SELECT lease_owner, status FROM executions WHERE id = $1`, [res.body.id]),
      (rows: Array<{ lease_owner: string | null; status: string }>) => rows[0]?.status === 'RUNNING' && rows[0].lease_owner === null,
      { what: 'the execution to be given back' },
    );
    await clearQueuePrefix(t.config.queuePrefix);
    await waitFor(
      () => status(res.body.id),
      (s) => s === 'COMPLETED',
      { timeoutMs: 15_000, what: 'the sweep to resume the execution' },
    );
    const out = await api().get(`/api/executions/${res.body.id}/results`).set('X-API-Key', ADMIN);
    expect(out.body.outputs).toEqual({ result: ['later'] });
  });

  it('runs at most `concurrency` executions of an agent at once, first in first out', async () => {
    const ids: string[] = [];
    for (const text of ['1', '2', '3']) ids.push((await api().post('/api/graphs/single/execute').set('X-API-Key', ADMIN).send({ inputs: { text } })).body.id);
    await waitFor(
      () => Promise.all(ids.map(status)),
      (all) => all.every((s) => s === 'COMPLETED'),
      { timeoutMs: 15_000, what: 'all three to complete' },
    );
    const rows = (await t.dataSource.query(`SELECT id, started_at, ended_at FROM executions WHERE id = ANY($1::uuid[]) ORDER BY started_at`, [ids])) as Array<{
      id: string;
      started_at: Date;
      ended_at: Date;
    }>;
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.ended_at.getTime());
  });
});
