// ai.agent steps on the WebSocket (release-2.md section 8, interfaces.md "WebSocket"): each step goes out as a
// `node_execution_update` of the ai.agent node with the step under `step` (tool, arguments, result or error,
// tokens, credits) as soon as it is stored, while the node still runs. Two users subscribed to one agent see
// only their own executions' steps; bob asking for alice's execution is refused and learns nothing; an admin
// sees both.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, openAiToolCalls, startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from './graphs.fixture.js';
import { WsClient, type Message } from './ws-helpers.js';

const isStep = (executionId: string) => (m: Message) => m.event === 'node_execution_update' && m.data.execution_id === executionId && 'step' in m.data;

describe('ai.agent steps streamed on the WebSocket', () => {
  let t: TestApp;
  let llm: LlmPeer;
  let api: HttpPeer;
  let alice: MadeUser;
  let bob: MadeUser;
  let wsUrl: string;
  const clients: WsClient[] = [];
  /** Requests to /hold wait here until the test answers them. */
  const held: ServerResponse[] = [];

  async function client(key: string): Promise<WsClient> {
    const c = await WsClient.open(wsUrl);
    clients.push(c);
    expect((await c.auth(key)).event).toBe('authenticated');
    c.send({ action: 'subscribe', graph_id: 'stepper' });
    await c.one((m) => m.event === 'subscribed', 'the subscription');
    return c;
  }

  async function start(user: MadeUser, issue: number): Promise<string> {
    const res = await request(t.http)
      .post('/api/graphs/stepper/execute')
      .set('X-API-Key', user.key)
      .send({ inputs: { task: `Triage issue ${issue}` } });
    expect(res.status).toBe(202);
    return (res.body.id ?? res.body.execution_id) as string;
  }

  async function finished(id: string, key: string): Promise<void> {
    await waitFor(
      async () => (await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', key)).body.status as string,
      (status) => status === 'COMPLETED' || status === 'FAILED',
      { what: `execution ${id} to end`, timeoutMs: 20_000 },
    );
  }

  beforeAll(async () => {
    llm = await startLlmPeer('/v1/chat/completions');
    api = await startHttpPeer((req, res) => {
      if (req.url.startsWith('/hold')) return void held.push(res);
      sendJson(res, 200, { issue: req.url });
    });
    t = await createTestApp({
      label: 'aiagentstream',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: { http: { allow_private_addresses: true }, integrations: { openai: { base_url: `${llm.url}/v1` } } },
      listen: true,
    });
    const address = t.http.address();
    wsUrl = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ws`;
    alice = await makeUser(t, 'alice');
    bob = await makeUser(t, 'bob');
    await saveAgent(t.dataSource, {
      name: 'stepper',
      nodes: {
        task: node('input', { name: 'task', type: 'string' }),
        brain: node('ai.agent', {
          provider: 'openai_compatible',
          model: 'local-model',
          tools: [{ name: 'fetch', block: 'http.request', hosts: [`http://127.0.0.1:${api.port}`], inputs: { method: 'GET' } }],
        }),
      },
      links: [link('task.value', 'brain.task')],
    });
  });

  afterAll(async () => {
    for (const c of clients) c.socket.terminate();
    for (const res of held) res.destroy();
    await t?.close();
    await llm?.close();
    await api?.close();
  });

  it("streams each step while the agent runs, to the execution's user and admins only", async () => {
    const [aliceWs, bobWs, adminWs] = [await client(alice.key), await client(bob.key), await client(ADMIN_KEY)];
    llm.script(
      openAiToolCalls([['call_1', 'fetch', { url: `${api.url}/issues/7` }]], { prompt_tokens: 11, completion_tokens: 3 }),
      openAiToolCalls([
        ['call_2', 'fetch', { url: `${api.url}/hold` }],
        ['call_3', 'label', { name: 'bug' }],
      ]),
      openAiCompletion('Label: bug'),
    );
    const id = await start(alice, 7);
    // Step 1 arrives while step 2's tool is still held: the node runs on.
    const [first] = await aliceWs.next(isStep(id), 1, 'the first step');
    await waitFor(
      () => held.length,
      (n) => n === 1,
      { what: 'the second tool call to be running' },
    );
    expect(first!.data).toEqual({
      execution_id: id,
      graph_id: 'stepper',
      user_id: alice.user.id,
      id: expect.any(String),
      node_id: 'brain',
      block: 'ai.agent',
      status: 'RUNNING',
      step: {
        step: 1,
        tool: 'fetch',
        arguments: { url: `${api.url}/issues/7` },
        result: expect.objectContaining({ status: 200, json: { issue: '/issues/7' } }),
        usage: { input_tokens: 11, output_tokens: 3 },
        cost: 1,
        model_cost: 2,
      },
    });
    expect(aliceWs.messages.filter(isStep(id))).toHaveLength(1);
    sendJson(held.shift()!, 200, { issue: 'held' });
    const steps = await aliceWs.next(isStep(id), 3, 'the three steps');
    expect(steps.map((m) => m.data.step)).toEqual([
      expect.objectContaining({ step: 1, tool: 'fetch' }),
      expect.objectContaining({ step: 2, tool: 'fetch', result: expect.objectContaining({ json: { issue: 'held' } }), cost: 1 }),
      expect.objectContaining({ step: 2, tool: 'label', error: expect.stringContaining('there is no tool named "label"'), cost: 0 }),
    ]);
    await finished(id, alice.key);
    // The admin saw the same steps; bob, subscribed to the same agent, saw nothing of alice's execution.
    await adminWs.next(isStep(id), 3, "alice's steps at the admin");
    expect(bobWs.messages.filter((m) => m.data.execution_id === id)).toEqual([]);

    // bob's own run: his steps reach him and the admin, never alice.
    llm.script(openAiToolCalls([['call_1', 'fetch', { url: `${api.url}/issues/8` }]]), openAiCompletion('Label: question'));
    const bobs = await start(bob, 8);
    await bobWs.next(isStep(bobs), 1, "bob's step");
    await adminWs.next(isStep(bobs), 1, "bob's step at the admin");
    await finished(bobs, bob.key);
    expect(aliceWs.messages.filter((m) => m.data.execution_id === bobs)).toEqual([]);

    // Asking for alice's execution by id is refused, and no step follows.
    bobWs.send({ action: 'subscribe', execution_id: id });
    const refusal = await bobWs.one((m) => m.event === 'error', 'the refusal');
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(refusal.data.code);
    expect(bobWs.messages.filter((m) => m.data.execution_id === id)).toEqual([]);
  });
});
