// Stopping an execution while its ai.agent waits on a tool: the running tool is cancelled (its outgoing
// request is aborted), the execution and the node end CANCELLED, and the model is not called again. Exactly
// what ran is charged: the one model call and the one tool run, nothing after the stop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, type LlmPeer } from '../blocks/peers/llm-peers.js';
import type { TestApp } from '../helpers/app.js';
import { startStopHarness, type HeldRequest } from './ai-agent-stop.fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-aiagent-stop-012345';

describe('stopping an ai.agent mid-loop', () => {
  let t: TestApp;
  let llm: LlmPeer;
  let api: HttpPeer;
  let held: HeldRequest;

  beforeAll(async () => {
    ({ t, llm, api, held } = await startStopHarness('aiagentstop', ADMIN));
    await saveAgent(t.dataSource, {
      name: 'slow-tool',
      nodes: {
        brain: node('ai.agent', {
          provider: 'openai_compatible',
          model: 'local-model',
          task: 'Fetch it',
          tools: [{ name: 'fetch', block: 'http.request', hosts: [`http://127.0.0.1:${api.port}`], inputs: { method: 'GET' } }],
        }),
      },
      links: [],
    });
  });
  afterAll(async () => {
    held.response?.destroy();
    await t?.close();
    await llm?.close();
    await api?.close();
  });

  it('cancels the running tool, ends the execution and the node CANCELLED, and calls the model no more', async () => {
    const call = openAiCompletion('');
    (call.body as { choices: { message: Record<string, unknown> }[] }).choices[0]!.message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/slow` }) } }],
    };
    llm.script(call, openAiCompletion('never asked for'));
    const started = await request(t.http).post('/api/graphs/slow-tool/execute').set('X-API-Key', ADMIN).send({});
    expect(started.status).toBe(202);
    const id = (started.body.id ?? started.body.execution_id) as string;
    await waitFor(
      () => api.requests.length,
      (n) => n === 1,
      { what: 'the tool to send its request', timeoutMs: 20_000 },
    );

    const stopped = await request(t.http).post(`/api/graphs/slow-tool/executions/${id}/stop`).set('X-API-Key', ADMIN);
    expect(stopped.status).toBe(200);
    await waitFor(() => held.closed, Boolean, { what: "the tool's request to be aborted", timeoutMs: 10_000 });
    const done = await waitFor(
      async () => (await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body as Record<string, unknown>,
      (e) => e.status === 'CANCELLED' && (e.node_executions as Array<{ status: string }>).every((n) => n.status !== 'RUNNING'),
      { what: 'the execution CANCELLED with no node running', timeoutMs: 10_000 },
    );
    expect((done.node_executions as Array<{ node_id: string; status: string }>).find((n) => n.node_id === 'brain')!.status).toBe('CANCELLED');
    expect(llm.calls()).toHaveLength(1);
    expect(api.requests).toHaveLength(1);
    // Charged: that model call (the default model cost, 2) and that tool run (http.request, 1); the stop charged nothing more.
    const charged = await t.dataSource.query(`SELECT charge_key, amount FROM credit_transactions WHERE execution_id = $1 AND type = 'USAGE' ORDER BY id`, [id]);
    expect(charged).toEqual([
      { charge_key: 'step:1:model', amount: '-2' },
      { charge_key: 'step:1:tool:call_1', amount: '-1' },
    ]);
    expect(done.cost).toBe(3);
  });
});
