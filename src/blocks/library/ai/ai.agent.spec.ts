// ai.agent's model loop over the real SDKs: OpenAI tool calling (concurrent calls, hosts and credentials of tools,
// step limits, output_schema, refusals and rate limits, the tools list) and Anthropic tool_use.
// A stored conversation resumed and the credits each turn costs: ai.agent.resume.spec.ts.
import { describe, expect, it } from '@jest/globals';
import { apiKey, rejection } from '../../../../test/blocks/peers/block-context.js';
import { anthropicMessage, anthropicText, openAiCompletion, openAiError } from '../../../../test/blocks/peers/llm-peers.js';
import { agent, anthropic, api, openai, toolCalls, useAgentPeers } from './ai.agent.fixtures.js';

useAgentPeers();

describe('ai.agent with OpenAI tool calling', () => {
  it('runs the calls the model asks for together, sends results back, and traces every call with its usage', async () => {
    const before = api.requests.length;
    openai.script(
      toolCalls([
        { id: 'call_1', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/issues/1` }) },
        { id: 'call_2', name: 'join', arguments: '{"items": ["a", "b"], "separator": "ignored"}' },
        { id: 'call_3', name: 'join', arguments: '{"items": [' },
        { id: 'call_4', name: 'delete_everything', arguments: '{}' },
      ]),
      openAiCompletion('Done: a+b', { prompt_tokens: 120, completion_tokens: 5 }),
    );
    const out = await agent({});
    expect(out.answer).toBe('Done: a+b');
    expect(out.usage).toEqual({ input_tokens: 170, output_tokens: 15 });
    const steps = out.steps as Record<string, unknown>[];
    expect(steps.map((s) => [s.step, s.tool])).toEqual([
      [1, 'fetch'],
      [1, 'join'],
      [1, 'join'],
      [1, 'delete_everything'],
    ]);
    expect(steps[0]!.result).toMatchObject({ status: 200, json: { path: '/issues/1', auth: '[secret:ops-token]' } });
    // The entry's constant wins over the model's argument.
    expect(steps[1]!.result).toEqual({ text: 'a+b' });
    expect(steps[2]!.error).toMatch(/not valid JSON/);
    expect(steps[3]!.error).toMatch(/no tool named "delete_everything"; the tools are: fetch, join/);
    expect(steps[0]!.usage).toEqual({ input_tokens: 50, output_tokens: 10 });
    expect(api.requests.length - before).toBe(1);
    expect(api.requests.at(-1)!.headers.authorization).toBe('Bearer alice-secret-token-1');

    const [first, second] = openai.calls().slice(-2);
    const tools = (first!.json as { tools: { function: { name: string; parameters: { properties: object } } }[] }).tools;
    expect(tools.map((t) => t.function.name)).toEqual(['fetch', 'join']);
    expect(Object.keys(tools[1]!.function.parameters.properties)).toEqual(['items']);
    const sent = (second!.json as { messages: Record<string, unknown>[] }).messages;
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'tool', 'tool']);
    expect(sent[2]).toMatchObject({ tool_call_id: 'call_1' });
    expect(JSON.stringify(sent)).not.toContain('alice-secret-token-1');
    expect(sent[5]).toMatchObject({ tool_call_id: 'call_4', content: expect.stringContaining('no tool named') });
  });

  it('runs the calls of one turn concurrently', async () => {
    openai.script(
      toolCalls([
        { id: 'p1', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/pair/1` }) },
        { id: 'p2', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/pair/2` }) },
      ]),
      openAiCompletion('both'),
    );
    const out = await agent({});
    expect((out.steps as { result: { json: unknown } }[]).map((s) => s.result.json)).toEqual([{ pair: '/pair/1' }, { pair: '/pair/2' }]);
  });

  it('refuses a URL outside the tool hosts without sending anything, and a credential the user may not use', async () => {
    const before = api.requests.length;
    openai.script(
      toolCalls([{ id: 'c1', name: 'fetch', arguments: JSON.stringify({ url: 'http://169.254.169.254/latest/meta-data' }) }]),
      openAiCompletion('ok'),
    );
    const out = await agent({});
    expect((out.steps as { error: string }[])[0]!.error).toMatch(/outside this tool's hosts/);
    // bob may not use ops-token: it reads exactly like a credential that does not exist.
    openai.script(toolCalls([{ id: 'c2', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/x` }) }]), openAiCompletion('ok'));
    const asBob = await agent({}, 'bob');
    expect((asBob.steps as { error: string }[])[0]!.error).toMatch(/no credential named "ops-token" exists for you/);
    expect(JSON.stringify(asBob)).not.toContain('bob-secret');
    expect(api.requests.length).toBe(before);
  });

  it('fails with AGENT_STEP_LIMIT after max_steps model calls, and after max_tool_calls', async () => {
    const call = () => toolCalls([{ id: 'c', name: 'join', arguments: '{"items": [1]}' }]);
    openai.script(call(), call());
    const error = await rejection(agent({ max_steps: 2 }));
    expect(error.code).toBe('AGENT_STEP_LIMIT');
    expect(error.message).toMatch(/2 model calls \(max_steps\)/);
    openai.script(
      toolCalls([
        { id: 'a', name: 'join', arguments: '{"items": [1]}' },
        { id: 'b', name: 'join', arguments: '{"items": [2]}' },
      ]),
    );
    expect((await rejection(agent({ max_tool_calls: 1 }))).code).toBe('AGENT_STEP_LIMIT');
  });

  it('checks the final answer against output_schema with one repair turn', async () => {
    const schema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] };
    openai.script(openAiCompletion('{"lbl": "bug"}'), openAiCompletion('```json\n{"label": "bug"}\n```'));
    const out = await agent({ output_schema: schema, tools: [] });
    expect(out.answer).toEqual({ label: 'bug' });
    const repair = (openai.calls().at(-1)!.json as { messages: { role: string; content: string }[] }).messages.at(-1)!;
    expect(repair.content).toMatch(/does not fit the JSON Schema/);
  });

  it('reports a refusal, and a 429 after the retries with the retry-after it asked for', async () => {
    const refusal = openAiCompletion('');
    (refusal.body as { choices: { message: Record<string, unknown> }[] }).choices[0]!.message = {
      role: 'assistant',
      content: null,
      refusal: 'I cannot help with that.',
    };
    openai.script(refusal);
    expect((await rejection(agent({}))).code).toBe('LLM_REFUSED');
    const limited = () => openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' });
    openai.script(limited(), limited(), limited());
    const error = await rejection(agent({}));
    expect(error.code).toBe('LLM_RATE_LIMITED');
    expect(error.details).toMatchObject({ retry_after: '0' });
  });

  it('refuses a bad tools list before calling the model', async () => {
    const calls = openai.calls().length;
    const error = await rejection(
      agent({
        tools: [
          { name: 'Bad-Name', block: 'text.join' },
          { name: 'x', block: 'agent.run' },
          { name: 'x', block: 'http.request' },
        ],
      }),
    );
    expect(error.message).toMatch(/tools\[0\.name\]: tool name "Bad-Name" must match/);
    expect(error.message).toMatch(/block "agent.run" cannot be a tool \(call an agent with agent: <name> instead\)/);
    expect(error.message).toMatch(/"x" is used twice/);
    expect(error.message).toMatch(/needs hosts/);
    expect(openai.calls().length).toBe(calls);
  });
});

describe('ai.agent with Anthropic tool_use', () => {
  it('sends tool_result blocks back and answers with the final text', async () => {
    anthropic.script(
      anthropicMessage(
        [anthropicText('Let me join.'), { type: 'tool_use', id: 'toolu_1', name: 'join', input: { items: ['x', 'y'] } }],
        { input_tokens: 30, output_tokens: 9 },
        'tool_use',
      ),
      anthropicMessage([anthropicText('x+y it is')], { input_tokens: 60, output_tokens: 4 }),
    );
    const out = await agent({ provider: 'anthropic', model: 'claude-sonnet-4-6' }, 'alice', apiKey('sk-ant-test-1', 'anthropic', 'team-anthropic'));
    expect(out).toMatchObject({ answer: 'x+y it is', usage: { input_tokens: 90, output_tokens: 13 } });
    expect((out.steps as unknown[])[0]).toMatchObject({ step: 1, tool: 'join', arguments: { items: ['x', 'y'] }, result: { text: 'x+y' } });
    const second = anthropic.calls().at(-1)!.json as { messages: { role: string; content: unknown }[]; tools: { name: string; input_schema: unknown }[] };
    expect(second.tools.map((t) => t.name)).toEqual(['fetch', 'join']);
    expect(second.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me join.' },
        { type: 'tool_use', id: 'toolu_1', name: 'join', input: { items: ['x', 'y'] } },
      ],
    });
    expect(second.messages[2]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"text":"x+y"}', is_error: false }],
    });
  });

  it('reports a refusal as LLM_REFUSED', async () => {
    anthropic.script(anthropicMessage([anthropicText('No.')], undefined, 'refusal'));
    const error = await rejection(agent({ provider: 'anthropic', model: 'claude-sonnet-4-6' }, 'alice', apiKey('sk-ant-test-1', 'anthropic', 'a')));
    expect(error.code).toBe('LLM_REFUSED');
  });
});
