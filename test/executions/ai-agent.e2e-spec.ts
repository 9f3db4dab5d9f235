// ai.agent end to end on the durable worker: an execution whose ai.agent node calls an http.request tool
// against a local server, through the real OpenAI SDK pointed at a local chat-completions server; the
// trace is in the node's outputs and the conversation is stored after every step.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-aiagent-012345';

describe('ai.agent in an execution', () => {
  let t: TestApp;
  let llm: LlmPeer;
  let api: HttpPeer;

  beforeAll(async () => {
    llm = await startLlmPeer('/v1/chat/completions');
    api = await startHttpPeer((req, res) => sendJson(res, 200, { issue: req.url }));
    t = await createTestApp({
      label: 'aiagent',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, http: { allow_private_addresses: true }, integrations: { openai: { base_url: `${llm.url}/v1` } } },
    });
    await saveAgent(t.dataSource, {
      name: 'triage',
      nodes: {
        task: node('input', { name: 'task', type: 'string' }),
        brain: node('ai.agent', {
          provider: 'openai_compatible',
          model: 'local-model',
          tools: [{ name: 'get_issue', block: 'http.request', hosts: [`http://127.0.0.1:${api.port}`], inputs: { method: 'GET' } }],
        }),
        answer: node('output', { name: 'answer' }),
        steps: node('output', { name: 'steps' }),
      },
      links: [link('task.value', 'brain.task'), link('brain.answer', 'answer.value'), link('brain.steps', 'steps.value')],
    });
  });
  afterAll(async () => {
    await t?.close();
    await llm?.close();
    await api?.close();
  });

  it('runs the tool the model asks for, answers, and stores the conversation of the node execution', async () => {
    const call = openAiCompletion('', { prompt_tokens: 11, completion_tokens: 3 });
    const body = call.body as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
    body.choices[0]!.message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_issue', arguments: JSON.stringify({ url: `${api.url}/issues/7` }) } }],
    };
    llm.script(call, openAiCompletion('Label: bug', { prompt_tokens: 20, completion_tokens: 4 }));
    const res = await request(t.http)
      .post('/api/graphs/triage/execute?wait=20s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Triage issue 7' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('COMPLETED');
    expect(res.body.outputs.answer).toEqual(['Label: bug']);
    expect(res.body.outputs.steps[0]).toEqual([
      expect.objectContaining({ step: 1, tool: 'get_issue', arguments: { url: `${api.url}/issues/7` }, usage: { input_tokens: 11, output_tokens: 3 } }),
    ]);
    expect(res.body.outputs.steps[0][0].result).toMatchObject({ status: 200, json: { issue: '/issues/7' } });
    const detail = await request(t.http).get(`/api/executions/${res.body.execution_id}`).set('X-API-Key', ADMIN);
    const brain = detail.body.node_executions.find((n: { node_id: string }) => n.node_id === 'brain');
    expect(brain.outputs.steps[0]).toHaveLength(1);
    // The detail shows the stored trace too (it is there while the node runs, or after it failed).
    expect(brain.ai_agent).toMatchObject({ model_calls: 2, tool_calls: 1, usage: { input_tokens: 31, output_tokens: 7 } });
    expect(brain.ai_agent.steps).toEqual([expect.objectContaining({ tool: 'get_issue', arguments: { url: `${api.url}/issues/7` } })]);
    const rows = (await t.dataSource.query(`SELECT state FROM ai_agent_conversations WHERE node_execution_id = $1`, [brain.id])) as {
      state: { modelCalls: number; toolCalls: number; messages: { role: string }[] };
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state).toMatchObject({ modelCalls: 2, toolCalls: 1 });
    expect(rows[0]!.state.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(llm.calls()).toHaveLength(2);
  });
});
