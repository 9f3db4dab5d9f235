// ai.agent agent tools end to end: a tool with `agent:` is a child execution of that agent, with the
// model's arguments as its inputs; the node waits (reason `tool`) without a slot until the child finished,
// then runs again from its stored conversation (no model call repeated) and gives the child's outputs to
// the model. The model sees the agent's `input` nodes as the tool's parameters.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { openAiCompletion, startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-aiagent-subagent-01';

describe('ai.agent tools that call agents', () => {
  let t: TestApp;
  let llm: LlmPeer;

  beforeAll(async () => {
    llm = await startLlmPeer('/v1/chat/completions');
    t = await createTestApp({
      label: 'aiagentsub',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, integrations: { openai: { base_url: `${llm.url}/v1` } } },
    });
    await saveAgent(t.dataSource, {
      name: 'find-similar',
      nodes: { q: node('input', { name: 'q', type: 'string' }), found: node('output', { name: 'found' }) },
      links: [link('q.value', 'found.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'triage-parent',
      nodes: {
        task: node('input', { name: 'task', type: 'string' }),
        brain: node('ai.agent', { provider: 'openai_compatible', model: 'local-model', tools: [{ name: 'similar', agent: 'find-similar' }] }),
        answer: node('output', { name: 'answer' }),
        steps: node('output', { name: 'steps' }),
      },
      links: [link('task.value', 'brain.task'), link('brain.answer', 'answer.value'), link('brain.steps', 'steps.value')],
    });
  });
  afterAll(async () => {
    await t?.close();
    await llm?.close();
  });

  it('runs the agent as a child execution, gives its outputs to the model, and repeats no model call', async () => {
    const call = openAiCompletion('', { prompt_tokens: 12, completion_tokens: 3 });
    (call.body as { choices: { message: Record<string, unknown> }[] }).choices[0]!.message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'similar', arguments: JSON.stringify({ q: 'crash on start' }) } }],
    };
    llm.script(call, openAiCompletion('Duplicate of a crash report', { prompt_tokens: 30, completion_tokens: 5 }));
    const res = await request(t.http)
      .post('/api/graphs/triage-parent/execute?wait=20s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Triage: crash on start' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('COMPLETED');
    expect(res.body.outputs.answer).toEqual(['Duplicate of a crash report']);
    expect(res.body.outputs.steps[0]).toEqual([
      expect.objectContaining({ step: 1, tool: 'similar', arguments: { q: 'crash on start' }, result: { found: ['crash on start'] } }),
    ]);
    const children = (await t.dataSource.query(`SELECT graph_id, status, inputs FROM executions WHERE parent_id = $1`, [res.body.execution_id])) as Array<
      Record<string, unknown>
    >;
    expect(children).toEqual([{ graph_id: 'find-similar', status: 'COMPLETED', inputs: { q: 'crash on start' } }]);
    expect(llm.calls()).toHaveLength(2);
    const [first, second] = llm.calls();
    const tools = (first!.json as { tools: Array<{ function: { name: string; parameters: { properties: object } } }> }).tools;
    expect(tools.map((tool) => [tool.function.name, Object.keys(tool.function.parameters.properties)])).toEqual([['similar', ['q']]]);
    const sent = (second!.json as { messages: Array<Record<string, unknown>> }).messages;
    expect(sent.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: '{"found":["crash on start"]}' });
  });

  it('fails the node before any model call when a tool names an agent this execution may not run (here: none by that name)', async () => {
    await saveAgent(t.dataSource, {
      name: 'orphan-parent',
      nodes: { brain: node('ai.agent', { provider: 'openai_compatible', model: 'local-model', task: 'Ask', tools: [{ name: 'ask', agent: 'gone-agent' }] }) },
      links: [],
    });
    const calls = llm.calls().length;
    const res = await request(t.http).post('/api/graphs/orphan-parent/execute?wait=20s').set('X-API-Key', ADMIN).send({});
    expect(res.body.status).toBe('FAILED');
    expect(JSON.stringify(res.body.error)).toContain('no agent named \\"gone-agent\\"');
    expect(llm.calls().length).toBe(calls);
  });
});
