// Retry from the failure (release-2.md section 3) end to end through the API, on the durable worker: the
// retry reuses the completed node executions (copied, `reused`, not charged), runs only what failed or did
// not run, and is billed to the original's user; it names the nodes with outside effects stopped mid-attempt
// that it runs again (rerun_side_effects); `latest` reuses only nodes unchanged up to them; clear
// 4xx answers; another user's execution is 404 like one that does not exist.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import request from 'supertest';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from './graphs.fixture.js';
import type { AgentDefinition } from '../../src/agent-format/graph.types.js';

interface NodeView {
  node_id: string;
  status: string;
  reused?: boolean;
  cost: number;
  attempts: unknown[];
  outputs: Record<string, unknown[]>;
}

/** text -> prepare (code.js) -> call (http.request, fails while the peer says so) -> finish (code.js) -> result. */
function pipeline(name: string, url: string, finish = 'return input + "!";'): AgentDefinition {
  return {
    name,
    nodes: {
      text: node('input', { name: 'text', type: 'string' }),
      prepare: node('code.js', { code: 'return input.toUpperCase();' }),
      call: node('http.request', { method: 'POST', url }),
      finish: node('code.js', { code: finish }),
      result: node('output', { name: 'result' }),
    },
    links: [
      link('text.value', 'prepare.input'),
      link('prepare.result', 'call.body'),
      link('call.json.echo', 'finish.input'),
      link('finish.result', 'result.value'),
    ],
  };
}

/** text -> pre (code.js) -> run (agent.run of `child`) -> post (code.js) -> result. */
function parentOf(name: string, child: string): AgentDefinition {
  return {
    name,
    nodes: {
      text: node('input', { name: 'text', type: 'string' }),
      pre: node('code.js', { code: 'return input + "-p";' }),
      run: node('agent.run', { agent: child }),
      post: node('code.js', { code: 'return input + "?";' }),
      result: node('output', { name: 'result' }),
    },
    links: [
      link('text.value', 'pre.input'),
      { ...link('pre.result', 'run.inputs'), to: { node: 'run', pin: 'inputs', key: 'text' } },
      link('run.result', 'post.input'),
      link('post.result', 'result.value'),
    ],
  };
}

/**
 * items -> each (list.iterate, streaming) -> conv (json.stringify) -> result. An item larger than
 * executor.max_value_bytes fails the stream after what came before it; its error waits 2 s (so the work for the
 * items before it completes) and then fails the execution (boom: json.parse of an object).
 */
function streamOf(name: string): AgentDefinition {
  return {
    name,
    nodes: {
      items: node('input', { name: 'items', type: 'array' }),
      each: node('list.iterate'),
      conv: node('json.stringify'),
      result: node('output', { name: 'result' }),
      wait: node('time.delay', { duration: '2s' }),
      boom: node('json.parse'),
    },
    links: [
      link('items.value', 'each.items'),
      link('each.item', 'conv.value'),
      link('conv.text', 'result.value'),
      link('each.error', 'wait.value'),
      link('wait.value', 'boom.text'),
    ],
  };
}

describe('retry from the failure', () => {
  let t: TestApp;
  let peer: HttpPeer;
  let alice: MadeUser;
  let bob: MadeUser;
  let failing = true;
  /** Answers of requests to /hold, kept unanswered while `holding`. */
  const held: ServerResponse[] = [];
  let holding = false;
  const api = () => request(t.http);

  const finished = (id: string, key: string) =>
    waitFor(
      async () =>
        (await api().get(`/api/executions/${id}`).set('X-API-Key', key)).body as { status: string; node_executions: NodeView[]; [k: string]: unknown },
      (body) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(body.status),
      { timeoutMs: 20_000, what: `execution ${id} to finish` },
    );
  const charges = async (executionId: string) =>
    (
      (await t.dataSource.query(
        `SELECT n.node_id, t.user_id, -t.amount AS amount FROM credit_transactions t JOIN node_executions n ON n.id = t.node_execution_id
         WHERE t.execution_id = $1 AND t.type = 'USAGE' ORDER BY n.seq`,
        [executionId],
      )) as Array<{ node_id: string; user_id: string; amount: number }>
    ).map((r) => ({ node: r.node_id, user: r.user_id, amount: Number(r.amount) }));
  const failedRun = async (graph: string, key = alice.key) => {
    failing = true;
    const started = await api()
      .post(`/api/graphs/${graph}/execute`)
      .set('X-API-Key', key)
      .send({ inputs: { text: 'hi' } });
    expect(started.status).toBe(202);
    const done = await finished(started.body.id, key);
    expect(done.status).toBe('FAILED');
    failing = false;
    return started.body.id as string;
  };

  /** Starts `graph`, whose http.request reaches /hold (directly or in its child), and stops it while the call is held. */
  const stoppedMidCall = async (graph: string) => {
    holding = true;
    failing = false;
    const started = await api()
      .post(`/api/graphs/${graph}/execute`)
      .set('X-API-Key', alice.key)
      .send({ inputs: { text: 'hi' } });
    expect(started.status).toBe(202);
    await waitFor(
      async () => held.length,
      (count) => count === 1,
      { timeoutMs: 20_000, what: 'the call to reach the peer' },
    );
    const stopped = await api().post(`/api/graphs/${graph}/executions/${started.body.id}/stop`).set('X-API-Key', alice.key).send({});
    expect(stopped.body.status).toBe('CANCELLED');
    return started.body.id as string;
  };
  /** Answers the held calls (late: their executions were stopped) and stops holding. */
  const releaseHeld = () => {
    holding = false;
    for (const res of held.splice(0)) sendJson(res, 200, { echo: 'late' });
  };

  beforeAll(async () => {
    peer = await startHttpPeer((req, res) => {
      if (req.url.startsWith('/hold') && holding) held.push(res);
      else if (failing) sendJson(res, 400, { error: 'not yet' });
      else sendJson(res, 200, { echo: req.body });
    });
    t = await createTestApp({ label: 'retryfail', overrides: { http: { allow_private_addresses: true }, executor: { max_value_bytes: '4kb' } } });
    alice = await makeUser(t, 'alice');
    bob = await makeUser(t, 'bob');
    await saveAgent(t.dataSource, pipeline('pipeline', `${peer.url}/echo`));
    await saveAgent(t.dataSource, pipeline('evolving', `${peer.url}/echo`));
    await saveAgent(t.dataSource, pipeline('reshaped', `${peer.url}/echo`));
    await saveAgent(t.dataSource, pipeline('held', `${peer.url}/hold`));
    await saveAgent(t.dataSource, pipeline('child-pipe', `${peer.url}/echo`));
    await saveAgent(t.dataSource, parentOf('parent', 'child-pipe'));
    await saveAgent(t.dataSource, parentOf('held-parent', 'held'));
    await saveAgent(t.dataSource, streamOf('stream'));
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  it('reuses what completed, re-runs only what failed or did not run, and charges only what re-ran', async () => {
    const original = await failedRun('pipeline');
    const before = await finished(original, alice.key);
    expect(before.node_executions.map((n) => [n.node_id, n.status])).toEqual([
      ['text', 'COMPLETED'],
      ['prepare', 'COMPLETED'],
      ['call', 'FAILED'],
    ]);
    expect(before.error).toMatchObject({ code: 'HTTP_STATUS', node_id: 'call', details: { status: 400 } });
    expect((await charges(original)).map((c) => c.node)).toEqual(['prepare', 'call']);
    const calls = peer.requests.length;

    const res = await api().post(`/api/executions/${original}/retry`).set('X-API-Key', alice.key).send({});
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ source: 'retry', retry_of: original, user_id: alice.user.id, graph_version: 1 });
    // The failed call finished its attempt (an answer came): nothing is re-run mid-effect.
    expect(res.body.rerun_side_effects).toEqual([]);
    const retried = await finished(res.body.id, alice.key);
    expect(retried).toMatchObject({ status: 'COMPLETED', outputs: { result: ['HI!'] } });
    const nodes = Object.fromEntries(retried.node_executions.map((n) => [n.node_id, n]));
    expect(nodes.prepare).toMatchObject({ status: 'COMPLETED', reused: true, cost: 0, attempts: [], outputs: { result: ['HI'] } });
    expect(nodes.call).toMatchObject({ status: 'COMPLETED', cost: 1 });
    expect(nodes.call!.reused).toBeUndefined();
    // Node executions that ran (had an attempt): only what failed and what had not run.
    expect(retried.node_executions.filter((n) => n.attempts.length > 0).map((n) => n.node_id)).toEqual(['call', 'finish']);
    expect(peer.requests.length - calls).toBe(1);
    expect(await charges(res.body.id)).toEqual([
      { node: 'call', user: alice.user.id, amount: 1 },
      { node: 'finish', user: alice.user.id, amount: 1 },
    ]);
  });

  it('retries a failed agent.run child from its own failure: only the failed nodes of parent and child re-run, and only they are charged', async () => {
    const children = async (parent: string) =>
      (await t.dataSource.query(`SELECT id, retry_of, status FROM executions WHERE parent_id = $1 ORDER BY created_at`, [parent])) as Array<{
        id: string;
        retry_of: string | null;
        status: string;
      }>;
    const ran = (body: { node_executions: NodeView[] }) => body.node_executions.filter((n) => n.attempts.length > 0).map((n) => n.node_id);
    const original = await failedRun('parent');
    const before = await finished(original, alice.key);
    expect(before.node_executions.map((n) => [n.node_id, n.status])).toEqual([
      ['text', 'COMPLETED'],
      ['pre', 'COMPLETED'],
      ['run', 'FAILED'],
    ]);
    expect(before.error).toMatchObject({ code: 'CHILD_FAILED', node_id: 'run' });
    const [oldChild] = await children(original);
    expect(oldChild).toMatchObject({ status: 'FAILED', retry_of: null });
    expect(ran(await finished(oldChild!.id, alice.key))).toEqual(['prepare', 'call']);
    const calls = peer.requests.length;

    const res = await api().post(`/api/executions/${original}/retry`).set('X-API-Key', alice.key).send({});
    expect(res.status).toBe(202);
    const retried = await finished(res.body.id, alice.key);
    expect(retried).toMatchObject({ status: 'COMPLETED', outputs: { result: ['HI-P!?'] } });
    expect(retried.node_executions.filter((n) => n.reused).map((n) => n.node_id)).toEqual(['pre']);
    expect(ran(retried)).toEqual(['run', 'post']);
    // One new child, a retry of the failed one: its completed prepare is reused, only call and finish run.
    const newChildren = await children(res.body.id);
    expect(newChildren).toEqual([{ id: expect.any(String), retry_of: oldChild!.id, status: 'COMPLETED' }]);
    const child = await finished(newChildren[0]!.id, alice.key);
    expect(child.node_executions.filter((n) => n.reused).map((n) => n.node_id)).toEqual(['prepare']);
    expect(ran(child)).toEqual(['call', 'finish']);
    expect(peer.requests.length - calls).toBe(1);
    expect(await charges(res.body.id)).toEqual([{ node: 'post', user: alice.user.id, amount: 1 }]);
    expect(await charges(newChildren[0]!.id)).toEqual([
      { node: 'call', user: alice.user.id, amount: 1 },
      { node: 'finish', user: alice.user.id, amount: 1 },
    ]);
  });

  it('resumes a stream after what it had delivered: the work done for the items before its failure is not repeated', async () => {
    const big = 'x'.repeat(5000);
    const started = await api()
      .post('/api/graphs/stream/execute')
      .set('X-API-Key', alice.key)
      .send({ inputs: { items: ['a', 'b', big, 'c'] } });
    expect(started.status).toBe(202);
    const original = await finished(started.body.id, alice.key);
    expect(original.status).toBe('FAILED');
    const byNode = (body: { node_executions: NodeView[] }, id: string) => body.node_executions.filter((n) => n.node_id === id);
    // count, a, 0, b, 1 went out before the big item failed the stream; the work for a and b completed.
    expect(byNode(original, 'each')).toEqual([expect.objectContaining({ status: 'FAILED', outputs: expect.objectContaining({ item: ['a', 'b'] }) })]);
    expect(byNode(original, 'conv').map((n) => [n.status, n.outputs.text])).toEqual([
      ['COMPLETED', ['"a"']],
      ['COMPLETED', ['"b"']],
    ]);
    const [row] = (await t.dataSource.query(`SELECT delivered_seq FROM node_executions WHERE execution_id = $1 AND node_id = 'each'`, [
      started.body.id,
    ])) as Array<{
      delivered_seq: number;
    }>;
    expect(row!.delivered_seq).toBe(5);

    const res = await api().post(`/api/executions/${started.body.id}/retry`).set('X-API-Key', alice.key).send({});
    expect(res.status).toBe(202);
    const retried = await finished(res.body.id, alice.key);
    // The stream runs again from after 5 and fails at the same item; the work for a and b is reused, not run.
    expect(retried.status).toBe('FAILED');
    expect(byNode(retried, 'each')).toEqual([
      expect.objectContaining({ status: 'FAILED', attempts: [expect.anything()], outputs: expect.objectContaining({ item: ['a', 'b'] }) }),
    ]);
    expect(byNode(retried, 'conv').map((n) => [n.status, n.reused, n.attempts.length])).toEqual([
      ['COMPLETED', true, 0],
      ['COMPLETED', true, 0],
    ]);
    expect((await charges(res.body.id)).map((c) => c.node)).not.toContain('conv');
  });

  it('bills a retry asked by an admin to the original user, and hides the execution from other users', async () => {
    const original = await failedRun('pipeline');
    const missing = await api().post('/api/executions/00000000-0000-4000-8000-000000000000/retry').set('X-API-Key', bob.key).send({});
    const others = await api().post(`/api/executions/${original}/retry`).set('X-API-Key', bob.key).send({});
    expect(others.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(others.body.error.message.replace(original, 'ID')).toBe(missing.body.error.message.replace('00000000-0000-4000-8000-000000000000', 'ID'));
    const byAdmin = await api().post(`/api/executions/${original}/retry`).set('X-API-Key', TEST_ADMIN_KEY).send({ version: 'same' });
    expect(byAdmin.status).toBe(202);
    expect(byAdmin.body).toMatchObject({ user_id: alice.user.id, retry_of: original });
    expect((await finished(byAdmin.body.id, alice.key)).status).toBe('COMPLETED');
    expect((await charges(byAdmin.body.id)).map((c) => c.user)).toEqual([alice.user.id, alice.user.id]);
  });

  it('lists in rerun_side_effects a node with outside effects stopped mid-attempt, which the retry runs again', async () => {
    const id = await stoppedMidCall('held');
    const original = await finished(id, alice.key);
    const call = original.node_executions.find((n) => n.node_id === 'call') as NodeView & { id: string };
    expect(call.status).toBe('CANCELLED');
    releaseHeld();

    const res = await api().post(`/api/executions/${id}/retry`).set('X-API-Key', alice.key).send({});
    expect(res.status).toBe(202);
    // prepare (code.js) has no outside effect and completed; call (http.request) was mid-request.
    expect(res.body.rerun_side_effects).toEqual([{ node_id: 'call', block: 'http.request', node_execution_id: call.id }]);
    const retried = await finished(res.body.id, alice.key);
    expect(retried).toMatchObject({ status: 'COMPLETED', outputs: { result: ['HI!'] } });
    expect(retried.node_executions.find((n) => n.node_id === 'call')).toMatchObject({ status: 'COMPLETED', cost: 1 });
  });

  it("lists a stopped child's node with outside effects too, naming the child execution and its agent", async () => {
    const id = await stoppedMidCall('held-parent');
    await finished(id, alice.key);
    const [child] = (await t.dataSource.query(`SELECT id FROM executions WHERE parent_id = $1`, [id])) as Array<{ id: string }>;
    const childView = await finished(child!.id, alice.key);
    expect(childView.status).toBe('CANCELLED');
    const call = childView.node_executions.find((n) => n.node_id === 'call') as NodeView & { id: string };
    releaseHeld();

    const res = await api().post(`/api/executions/${id}/retry`).set('X-API-Key', alice.key).send({});
    expect(res.status).toBe(202);
    expect(res.body.rerun_side_effects).toEqual([
      { node_id: 'call', block: 'http.request', node_execution_id: call.id, execution_id: child!.id, agent: 'held' },
    ]);
    expect(await finished(res.body.id, alice.key)).toMatchObject({ status: 'COMPLETED', outputs: { result: ['HI-P!?'] } });
  });

  it('answers 409 for an execution that did not fail, and 400 for a body it does not understand', async () => {
    const done = await api()
      .post('/api/graphs/pipeline/execute?wait=20s')
      .set('X-API-Key', alice.key)
      .send({ inputs: { text: 'ok' } });
    expect(done.body.status).toBe('COMPLETED');
    const conflict = await api().post(`/api/executions/${done.body.execution_id}/retry`).set('X-API-Key', alice.key).send({});
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/only a FAILED or CANCELLED execution can be retried.*POST \/api\/executions\/.*\/rerun/);
    const bad = await api().post(`/api/executions/${done.body.execution_id}/retry`).set('X-API-Key', alice.key).send({ version: 2, extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems.map((p: { pointer: string }) => p.pointer)).toEqual(['/extra', '/version']);
  });

  it('with version latest, reuses only nodes unchanged up to them, and refuses a version that no longer fits', async () => {
    const original = await failedRun('evolving');
    await saveAgent(t.dataSource, pipeline('evolving', `${peer.url}/echo`, 'return input + "?";'), { version: 2 });
    const res = await api().post(`/api/executions/${original}/retry`).set('X-API-Key', alice.key).send({ version: 'latest' });
    expect(res.status).toBe(202);
    expect(res.body.graph_version).toBe(2);
    const retried = await finished(res.body.id, alice.key);
    expect(retried).toMatchObject({ status: 'COMPLETED', outputs: { result: ['HI?'] } });
    expect(retried.node_executions.filter((n) => n.reused).map((n) => n.node_id)).toEqual(['prepare']);

    const second = await failedRun('reshaped');
    const renamed = pipeline('reshaped', `${peer.url}/echo`);
    renamed.nodes.text = node('input', { name: 'message', type: 'string' });
    await saveAgent(t.dataSource, renamed, { version: 2 });
    const refused = await api().post(`/api/executions/${second}/retry`).set('X-API-Key', alice.key).send({ version: 'latest' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/The active version of "reshaped" no longer fits execution .*Retry with \{"version": "same"\}/);
  });
});
