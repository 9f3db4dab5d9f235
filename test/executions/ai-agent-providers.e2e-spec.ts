// ai.agent's provider edge cases in a durable execution, on both providers' SDKs against local servers that
// answer the real wire shapes: a tool call with arguments that are not a JSON object, a tool name the node
// does not list, a 429 with retry-after (the SDK waits as told and the step goes on), usage counts summed
// over the model calls, and a refusal (the node fails with LLM_REFUSED).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  anthropicError,
  anthropicMessage,
  anthropicText,
  openAiCompletion,
  openAiError,
  openAiRawToolCalls,
  startLlmPeer,
  type LlmPeer,
  type ScriptedAnswer,
} from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-aiagent-providers-1';

const openAiToolCalls = (calls: Array<{ id: string; name: string; arguments: string }>): ScriptedAnswer =>
  openAiRawToolCalls(calls, { prompt_tokens: 40, completion_tokens: 8 });

type Steps = Array<{ step: number; tool: string; result?: unknown; error?: string }>;

describe('ai.agent provider edge cases', () => {
  let t: TestApp;
  let openai: LlmPeer;
  let anthropic: LlmPeer;

  async function agent(name: string, provider: string): Promise<void> {
    await saveAgent(t.dataSource, {
      name,
      nodes: {
        task: node('input', { name: 'task', type: 'string' }),
        brain: node('ai.agent', {
          provider,
          model: provider === 'anthropic' ? 'claude-sonnet-4-6' : 'local-model',
          tools: [{ name: 'join', block: 'text.join', inputs: { separator: '+' } }],
        }),
        answer: node('output', { name: 'answer' }),
        steps: node('output', { name: 'steps' }),
        usage: node('output', { name: 'usage' }),
      },
      links: [link('task.value', 'brain.task'), link('brain.answer', 'answer.value'), link('brain.steps', 'steps.value'), link('brain.usage', 'usage.value')],
    });
  }

  async function run(agentName: string): Promise<Record<string, unknown>> {
    const res = await request(t.http)
      .post(`/api/graphs/${agentName}/execute?wait=20s`)
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Join a and b' } });
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  }

  beforeAll(async () => {
    openai = await startLlmPeer('/v1/chat/completions');
    anthropic = await startLlmPeer('/v1/messages');
    t = await createTestApp({
      label: 'aiagentproviders',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN, ANTHROPIC_API_KEY: 'sk-ant-test-providers-0123456789' },
      overrides: { credits: { enabled: false }, integrations: { openai: { base_url: `${openai.url}/v1` }, anthropic: { base_url: anthropic.url } } },
    });
    await agent('edge-openai', 'openai_compatible');
    await agent('edge-anthropic', 'anthropic');
  });
  afterAll(async () => {
    await t?.close();
    await openai?.close();
    await anthropic?.close();
  });

  it('OpenAI: bad arguments and an unknown tool go back to the model as tool errors, a 429 is retried after retry-after, usage is summed', async () => {
    const before = openai.calls().length;
    openai.script(
      openAiToolCalls([
        { id: 'call_ok', name: 'join', arguments: '{"items": ["a", "b"]}' },
        { id: 'call_bad', name: 'join', arguments: '{"items": [' },
        { id: 'call_unknown', name: 'rm_rf', arguments: '{}' },
      ]),
      openAiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }),
      openAiCompletion('a+b', { prompt_tokens: 90, completion_tokens: 3 }),
    );
    const done = await run('edge-openai');
    expect(done.status).toBe('COMPLETED');
    const outputs = done.outputs as { answer: unknown[]; steps: Steps[]; usage: unknown[] };
    expect(outputs.answer).toEqual(['a+b']);
    const steps = outputs.steps[0]!;
    expect(steps[0]).toMatchObject({ step: 1, tool: 'join', result: { text: 'a+b' } });
    expect(steps[1]!.error).toMatch(/arguments are not valid JSON .*call join again with a JSON object/);
    expect(steps[2]!.error).toMatch(/there is no tool named "rm_rf"; the tools are: join/);
    expect(outputs.usage).toEqual([{ input_tokens: 130, output_tokens: 11 }]);
    // The first turn, the 429, and its retry: three requests, two model calls.
    expect(openai.calls().length - before).toBe(3);
    const resent = openai.calls().at(-1)!.json as { messages: Array<Record<string, unknown>> };
    expect(resent.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(['call_ok', 'call_bad', 'call_unknown']);
    expect(resent).toEqual(openai.calls().at(-2)!.json);
  });

  it('Anthropic: input that is not an object and an unknown tool come back as is_error tool_results, a 429 is retried after retry-after, usage is summed', async () => {
    const before = anthropic.calls().length;
    anthropic.script(
      anthropicMessage(
        [
          anthropicText('Joining.'),
          { type: 'tool_use', id: 'toolu_ok', name: 'join', input: { items: ['a', 'b'] } },
          { type: 'tool_use', id: 'toolu_bad', name: 'join', input: '{"items": [' },
          { type: 'tool_use', id: 'toolu_unknown', name: 'rm_rf', input: {} },
        ],
        { input_tokens: 30, output_tokens: 9 },
        'tool_use',
      ),
      anthropicError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '0' }),
      anthropicMessage([anthropicText('a+b')], { input_tokens: 70, output_tokens: 2 }),
    );
    const done = await run('edge-anthropic');
    expect(done.status).toBe('COMPLETED');
    const outputs = done.outputs as { answer: unknown[]; steps: Steps[]; usage: unknown[] };
    expect(outputs.answer).toEqual(['a+b']);
    const steps = outputs.steps[0]!;
    expect(steps[0]).toMatchObject({ tool: 'join', result: { text: 'a+b' } });
    expect(steps[1]!.error).toMatch(/the arguments of join must be a JSON object/);
    expect(steps[2]!.error).toMatch(/there is no tool named "rm_rf"/);
    expect(outputs.usage).toEqual([{ input_tokens: 100, output_tokens: 11 }]);
    expect(anthropic.calls().length - before).toBe(3);
    const resent = anthropic.calls().at(-1)!.json as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };
    expect(resent.messages[2]!.content.map((c) => [c.tool_use_id, c.is_error])).toEqual([
      ['toolu_ok', false],
      ['toolu_bad', true],
      ['toolu_unknown', true],
    ]);
  });

  it('a refusal fails the node with LLM_REFUSED on both providers', async () => {
    const refusal = openAiCompletion('');
    (refusal.body as { choices: { message: Record<string, unknown> }[] }).choices[0]!.message = { role: 'assistant', content: null, refusal: 'I cannot help.' };
    openai.script(refusal);
    anthropic.script(anthropicMessage([anthropicText('No.')], undefined, 'refusal'));
    for (const name of ['edge-openai', 'edge-anthropic']) {
      const done = await run(name);
      expect(done.status).toBe('FAILED');
      expect(done.error).toMatchObject({ code: 'LLM_REFUSED', message: expect.stringMatching(/refused to answer: .*[^.]\. Rephrase the prompt\.$/) });
    }
  });
});
