// The durable shell's failure paths end to end (real Postgres, in-process dispatch): retries that recover
// or run out (every attempt recorded), per-node and per-execution timeouts, the node-execution cap on a
// loop, oversized values, sub-agent depth, and a streaming fan-out gathered back into one list.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startHttpPeer, type HttpPeer } from './http-peer.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-executions-limits';

interface Attempt {
  attempt: number;
  started_at: string;
  ended_at: string | null;
  error: { code: string; message: string } | null;
}

describe('execution limits and failures (in-process dispatch)', () => {
  let t: TestApp;
  let peer: HttpPeer;
  const api = () => request(t.http);
  const run = async (agent: string, inputs: Record<string, unknown>) => {
    const res = await api().post(`/api/graphs/${agent}/execute?wait=20s`).set('X-API-Key', ADMIN).send({ inputs });
    expect(res.status).toBe(200);
    return res.body as {
      execution_id: string;
      status: string;
      outputs: Record<string, unknown[]>;
      error: { code: string; message: string; node_id: string | null } | null;
    };
  };
  const nodeRow = async (executionId: string, nodeId: string) => {
    const rows = (await t.dataSource.query(
      `SELECT status, inputs, error, attempts FROM node_executions WHERE execution_id = $1 AND node_id = $2 ORDER BY seq`,
      [executionId, nodeId],
    )) as Array<{ status: string; inputs: Record<string, unknown>; error: { code: string } | null; attempts: Attempt[] }>;
    return rows;
  };
  const httpAgent = (name: string, path: string, extra: Record<string, unknown>) =>
    echoAgent(name, { call: node('http.request', { url: `${peer.url}${path}`, method: 'POST' }, extra) }, [
      link('text.value', 'call.body'),
      link('call.status', 'result.value'),
    ]);

  beforeAll(async () => {
    peer = await startHttpPeer((path, n) => {
      if (path === '/flaky') return n <= 2 ? 503 : 200;
      if (path === '/down') return 500;
      if (path === '/hang' || path === '/sleep') return 'hold';
      return 200;
    });
    t = await createTestApp({
      label: 'execlimits',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: {
        credits: { enabled: false },
        http: { allow_private_addresses: true },
        executor: { max_node_executions: 25, max_depth: 1, max_value_bytes: '2kb' },
      },
    });
    await saveAgent(t.dataSource, httpAgent('flaky', '/flaky', { retry: { attempts: 3, backoff: 'fixed', delay: 50 } }));
    await saveAgent(t.dataSource, httpAgent('down', '/down', { retry: { attempts: 3, backoff: 'exponential', delay: 20, max_delay: 40 } }));
    await saveAgent(t.dataSource, httpAgent('hang', '/hang', { timeout: 300 }));
    // A node that keeps running past the execution's timeout (waiting time would not count: release-2.md section 3).
    await saveAgent(t.dataSource, { ...httpAgent('sleepy', '/sleep', { timeout: 30_000 }), timeout: 400 });
    await saveAgent(t.dataSource, {
      ...echoAgent('patient', { wait: node('time.delay', { duration: '2500ms' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
      timeout: 400,
    });
    await saveAgent(t.dataSource, {
      name: 'loop',
      nodes: {
        n: node('input', { name: 'n', type: 'number' }),
        add: node('math.calculate', { operation: 'add', b: 1 }),
        result: node('output', { name: 'result' }),
      },
      links: [link('n.value', 'add.a'), link('add.result', 'add.a'), link('add.result', 'result.value')],
    });
    await saveAgent(
      t.dataSource,
      echoAgent('big', { pad: node('json.query', { expression: '$pad("", 5000, "x")' }) }, [
        link('text.value', 'pad.data'),
        link('pad.result', 'result.value'),
      ]),
    );
    await saveAgent(t.dataSource, echoAgent('leaf'));
    const caller = (name: string, target: string) => ({
      name,
      nodes: { text: node('input', { name: 'text' }), call: node('agent.run', { agent: target }), result: node('output', { name: 'result' }) },
      links: [
        { from: { node: 'text', pin: 'value', path: [] }, to: { node: 'call', pin: 'inputs', key: 'text' }, static: false },
        link('call.result', 'result.value'),
      ],
    });
    await saveAgent(t.dataSource, caller('middle', 'leaf'));
    await saveAgent(t.dataSource, caller('top', 'middle'));
    await saveAgent(t.dataSource, {
      name: 'fanout',
      nodes: {
        items: node('input', { name: 'items', type: 'array' }),
        each: node('list.iterate'),
        times: node('json.query', { expression: '$ * 10' }),
        gather: node('list.collect'),
        result: node('output', { name: 'result' }),
        complete: node('output', { name: 'complete' }),
      },
      links: [
        link('items.value', 'each.items'),
        link('each.item', 'times.data'),
        link('times.result', 'gather.item'),
        link('each.count', 'gather.count'),
        link('gather.items', 'result.value'),
        link('gather.complete', 'complete.value'),
      ],
    });
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('retries a failing node and completes once it succeeds, each attempt recorded', async () => {
    const res = await run('flaky', { text: 'x' });
    expect(res).toMatchObject({ status: 'COMPLETED', outputs: { result: [200] }, error: null });
    expect(peer.count('/flaky')).toBe(3);
    const [call] = await nodeRow(res.execution_id, 'call');
    expect(call!.status).toBe('COMPLETED');
    expect(call!.attempts.map((a) => [a.attempt, a.error?.code ?? null])).toEqual([
      [1, 'HTTP_STATUS'],
      [2, 'HTTP_STATUS'],
      [3, null],
    ]);
    expect(call!.attempts[0]!.error!.message).toContain('503');
    expect(call!.inputs).toMatchObject({ body: 'x', method: 'POST', url: `${peer.url}/flaky` });
    for (const attempt of call!.attempts) expect(attempt.ended_at).toEqual(expect.any(String));
  });

  it('fails the execution when the retries run out, with every attempt recorded', async () => {
    const res = await run('down', { text: 'x' });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ code: 'HTTP_STATUS', node_id: 'call', details: { status: 500 } });
    expect(res.error!.message).toContain('500');
    expect(peer.count('/down')).toBe(3);
    const [call] = await nodeRow(res.execution_id, 'call');
    expect(call!.status).toBe('FAILED');
    expect(call!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(call!.attempts.every((a) => a.error?.code === 'HTTP_STATUS')).toBe(true);
  });

  it('aborts a node that runs past its timeout with NODE_TIMEOUT, and the block sees the abort', async () => {
    const res = await run('hang', { text: 'x' });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ code: 'NODE_TIMEOUT', node_id: 'call' });
    const [call] = await nodeRow(res.execution_id, 'call');
    expect(call).toMatchObject({ status: 'FAILED', error: { code: 'NODE_TIMEOUT' } });
    expect(call!.attempts).toHaveLength(1);
    // The request was cut off, not left hanging.
    expect(peer.aborted('/hang')).toBe(1);
  });

  it('stops an execution that runs past its own timeout with EXECUTION_TIMEOUT', async () => {
    const res = await run('sleepy', { text: 'x' });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ code: 'EXECUTION_TIMEOUT' });
    expect(res.error!.message).toContain('timeout');
    const [call] = await nodeRow(res.execution_id, 'call');
    expect(call!.status).not.toBe('RUNNING');
    const row = (await t.dataSource.query(`SELECT lease_owner, started_at, ended_at FROM executions WHERE id = $1`, [res.execution_id])) as Array<{
      lease_owner: string | null;
      started_at: Date;
      ended_at: Date | null;
    }>;
    expect(row[0]).toEqual({ lease_owner: null, started_at: expect.any(Date), ended_at: expect.any(Date) });
    // Stopped at its deadline, not whenever the 3 s sweep passes by.
    expect(row[0]!.ended_at!.getTime() - row[0]!.started_at.getTime()).toBeLessThan(2_000);
  });

  it('does not count time during which every unfinished node waits (a delay) toward the execution timeout', async () => {
    const res = await run('patient', { text: 'x' });
    expect(res).toMatchObject({ status: 'COMPLETED', outputs: { result: ['x'] } });
  });

  it('stops a loop at executor.max_node_executions with NODE_LIMIT', async () => {
    const res = await run('loop', { n: 0 });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ code: 'NODE_LIMIT' });
    expect(res.error!.message).toContain('25');
    const rows = (await t.dataSource.query(`SELECT node_id, status, error FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [
      res.execution_id,
    ])) as Array<{ node_id: string; status: string; error: { code: string } | null }>;
    // Input nodes are seeded, not run: 25 runs of the loop and its output, then the refused one.
    expect(rows.filter((r) => r.node_id !== 'n' && r.status === 'COMPLETED')).toHaveLength(25);
    expect(rows[rows.length - 1]).toMatchObject({ node_id: 'add', status: 'FAILED', error: { code: 'NODE_LIMIT' } });
    const stored = (await t.dataSource.query(`SELECT node_execution_count FROM executions WHERE id = $1`, [res.execution_id])) as Array<{
      node_execution_count: number;
    }>;
    expect(stored[0]!.node_execution_count).toBeLessThanOrEqual(25);
  });

  it('fails a node whose value is larger than executor.max_value_bytes with VALUE_TOO_LARGE', async () => {
    const res = await run('big', { text: 'x' });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ code: 'VALUE_TOO_LARGE', node_id: 'pad' });
    expect(res.outputs).toEqual({ result: [] });
    const [pad] = await nodeRow(res.execution_id, 'pad');
    expect(pad).toMatchObject({ status: 'FAILED', error: { code: 'VALUE_TOO_LARGE' } });
  });

  it('refuses a sub-agent deeper than executor.max_depth with DEPTH_LIMIT, failing the chain above it', async () => {
    const ok = await run('middle', { text: 'one level' });
    expect(ok).toMatchObject({ status: 'COMPLETED', outputs: { result: ['one level'] } });
    const res = await run('top', { text: 'two levels' });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ code: 'CHILD_FAILED', node_id: 'call' });
    expect(res.error!.message).toContain('DEPTH_LIMIT');
    const children = (await t.dataSource.query(`SELECT graph_id, depth, status, error FROM executions WHERE parent_id = $1`, [res.execution_id])) as Array<{
      graph_id: string;
      depth: number;
      status: string;
      error: { code: string; node_id: string };
    }>;
    expect(children).toEqual([{ graph_id: 'middle', depth: 1, status: 'FAILED', error: expect.objectContaining({ code: 'DEPTH_LIMIT', node_id: 'call' }) }]);
    const grandchildren = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = 'leaf' AND depth > 1`)) as Array<{ n: number }>;
    expect(grandchildren[0]!.n).toBe(0);
  });

  it('fans out with list.iterate, transforms each item, and gathers them back with list.collect', async () => {
    const res = await run('fanout', { items: [1, 2, 3, 4] });
    expect(res.status).toBe('COMPLETED');
    expect(res.outputs.complete).toEqual([true]);
    expect(res.outputs.result).toHaveLength(1);
    expect([...(res.outputs.result![0] as number[])].sort((a, b) => a - b)).toEqual([10, 20, 30, 40]);
    const times = await nodeRow(res.execution_id, 'times');
    expect(times.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    // Each run keeps the inputs it ran with (written once, kept by later writes of the row).
    expect(times.map((r) => r.inputs).sort((a, b) => Number(a.data) - Number(b.data))).toEqual([1, 2, 3, 4].map((data) => ({ data, expression: '$ * 10' })));
    const each = await nodeRow(res.execution_id, 'each');
    expect(each).toHaveLength(1);
    // Nothing to gather: a count of 0 fires list.collect with no items (release-2.md section 6).
    const empty = await run('fanout', { items: [] });
    expect(empty).toMatchObject({ status: 'COMPLETED', outputs: { result: [[]], complete: [true] } });
  });
});
