import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection } from '../../../../test/blocks/peers/block-context.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../../../../test/blocks/peers/http-peer.js';
import {
  anthropicMessage,
  anthropicText,
  openAiCompletion,
  openAiError,
  startLlmPeer,
  type LlmPeer,
  type ScriptedAnswer,
} from '../../../../test/blocks/peers/llm-peers.js';
import { blockToolPort, type AgentCheckpointStore } from '../../agent-tools.runner.js';
import type { BlockCallCharge, BlockContext, ResolvedCredential } from '../../block.types.js';
import { AppError } from '../../../common/errors.js';
import { ChainedCredentialResolver, ConfigCredentialSource, type CredentialResolver } from '../../credential-resolver.js';
import { BlocksRegistry } from '../../blocks.registry.js';
import { BLOCK_LIBRARY } from '../index.js';
import { aiAgentBlock } from './ai.agent.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY);
let openai: LlmPeer;
let anthropic: LlmPeer;
let api: HttpPeer;

let resolver: CredentialResolver;
let hang: (() => void) | undefined;
const waiting: (() => void)[] = [];
let TOOLS: Record<string, unknown>[];

beforeAll(async () => {
  openai = await startLlmPeer('/v1/chat/completions');
  anthropic = await startLlmPeer('/v1/messages');
  api = await startHttpPeer((req, res) => {
    if (req.url.startsWith('/slow')) return void (hang = () => sendJson(res, 200, { slow: true }));
    if (req.url.startsWith('/pair')) {
      // Answers only once both calls of the pair have arrived: they must run together.
      waiting.push(() => sendJson(res, 200, { pair: req.url }));
      if (waiting.length === 2) for (const answer of waiting.splice(0)) answer();
      return;
    }
    sendJson(res, 200, { path: req.url, auth: req.headers.authorization ?? null });
  });
  const host = `http://127.0.0.1:${api.port}`;
  // Operator credentials: `ops-token` may be used by alice only; `their-token` by bob only.
  const allowOnly = (user: string) => ({ file_agents: false, roles: [], users: [user] });
  const operator = new ConfigCredentialSource({
    'ops-token': { provider: 'http', type: 'api_key', fields: { key: 'alice-secret-token-1' }, env: {}, allow: allowOnly('alice'), hosts: [host] },
    'their-token': { provider: 'http', type: 'api_key', fields: { key: 'bob-secret-token-22' }, env: {}, allow: allowOnly('bob'), hosts: [host] },
  });
  const chained = new ChainedCredentialResolver([operator], null);
  // As the database resolver does: the execution's user's handle decides.
  resolver = { resolve: (request) => chained.resolve({ ...request, asker: { userId: request.userId, handle: request.userId, role: 'user' } }) };
  TOOLS = [
    { name: 'fetch', block: 'http.request', hosts: [host], credentials: { auth: 'ops-token' }, description: 'GET a URL' },
    { name: 'join', block: 'text.join', inputs: { separator: '+' } },
  ];
});

afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), api.close()]);
});

async function agent(
  inputs: Record<string, unknown>,
  user = 'alice',
  llm: ResolvedCredential = apiKey('sk-test-123', 'openai', 'team-openai'),
  more: { signal?: AbortSignal; checkpoints?: AgentCheckpointStore; nodeExecutionId?: string; charge?: BlockContext['charge'] } = {},
) {
  const harness = blockHarness({
    credentials: { llm },
    settings: { openaiBaseUrl: `${openai.url}/v1`, anthropicBaseUrl: anthropic.url },
    ...(more.signal ? { signal: more.signal } : {}),
  });
  harness.context.userId = user;
  if (more.nodeExecutionId) harness.context.nodeExecutionId = more.nodeExecutionId;
  if (more.charge) harness.context.charge = more.charge;
  harness.context.agentTools = blockToolPort(harness.context, { blocks, resolver, ...(more.checkpoints ? { checkpoints: more.checkpoints } : {}) });
  try {
    return await harness.outputs(aiAgentBlock, { model: 'gpt-4.1-mini', task: 'Do the thing', tools: TOOLS, ...inputs });
  } finally {
    await harness.close();
  }
}

function toolCalls(calls: { id: string; name: string; arguments: string }[], usage = { prompt_tokens: 50, completion_tokens: 10 }): ScriptedAnswer {
  const answer = openAiCompletion('', usage);
  const body = answer.body as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
  body.choices[0]!.message = {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
  };
  body.choices[0]!.finish_reason = 'tool_calls';
  return answer;
}

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

describe('ai.agent stored conversation', () => {
  it('continues after the node stops mid-tool: no finished model call is repeated, the running tool runs again and says so', async () => {
    const stored = new Map<string, unknown>();
    const checkpoints: AgentCheckpointStore = {
      load: async (id) => stored.get(id) ?? null,
      save: async (id, state) => void stored.set(id, structuredClone(state)),
    };
    const nodeExecutionId = 'node-exec-resume';
    const slow = () => toolCalls([{ id: 'call_s', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/slow` }) }]);
    openai.script(slow());
    const calls = openai.calls().length;
    const requests = api.requests.length;
    const stop = new AbortController();
    const first = agent({}, 'alice', undefined, { signal: stop.signal, checkpoints, nodeExecutionId });
    while (api.requests.length === requests) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort(new Error('worker killed'));
    await rejection(first);
    expect(openai.calls().length - calls).toBe(1);
    expect((stored.get(nodeExecutionId) as { modelCalls: number }).modelCalls).toBe(1);

    openai.script(openAiCompletion('finished', { prompt_tokens: 70, completion_tokens: 2 }));
    const again = agent({}, 'alice', undefined, { checkpoints, nodeExecutionId });
    while (api.requests.length < requests + 2) await new Promise((resolve) => setTimeout(resolve, 5));
    hang?.();
    const out = await again;
    expect(out.answer).toBe('finished');
    // One more model call only (the one after the tool), and the tool ran twice (at-least-once).
    expect(openai.calls().length - calls).toBe(2);
    expect(api.requests.length - requests).toBe(2);
    expect(out.steps).toEqual([expect.objectContaining({ step: 1, tool: 'fetch', rerun: true, result: expect.objectContaining({ json: { slow: true } }) })]);
    expect(out.usage).toEqual({ input_tokens: 120, output_tokens: 12 });
    const resent = (openai.calls().at(-1)!.json as { messages: { role: string }[] }).messages.map((m) => m.role);
    expect(resent).toEqual(['user', 'assistant', 'tool']);
  });
});

describe('ai.agent credits', () => {
  /** A ledger as the executions' charge port keeps it: once per key, priced by block (model calls 5, http.request 3, text.join 0). */
  function ledger(balance: number) {
    const charged: BlockCallCharge[] = [];
    const price = (call: BlockCallCharge) => (call.block === 'ai.agent' ? 5 : call.block === 'http.request' ? 3 : 0);
    const charge = async (call: BlockCallCharge): Promise<number> => {
      if (charged.some((c) => c.key === call.key)) return price(call);
      if (price(call) > balance)
        throw new AppError('INSUFFICIENT_CREDITS', `This ${call.reason} costs ${price(call)} credits, and its user has a balance of ${balance}.`);
      balance -= price(call);
      charged.push(call);
      return price(call);
    };
    return { charged, charge, balance: () => balance };
  }

  it("charges a resumed turn's tool once under its key and each new model call, never the model call that finished before", async () => {
    const stored = new Map<string, unknown>([
      [
        'node-exec-credits',
        {
          version: 1,
          messages: [
            { role: 'user', content: 'Do the thing' },
            {
              role: 'assistant',
              content: '',
              tool_calls: [{ id: 'call_1', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/x` }) }],
              usage: { input_tokens: 1, output_tokens: 1 },
              cost: 5,
            },
          ],
          steps: [],
          usage: { input_tokens: 1, output_tokens: 1 },
          modelCalls: 1,
          toolCalls: 1,
          repaired: false,
          cost: 5,
        },
      ],
    ]);
    const checkpoints: AgentCheckpointStore = {
      load: async (id) => stored.get(id) ?? null,
      save: async (id, state) => void stored.set(id, structuredClone(state)),
    };
    const book = ledger(100);
    // The model call of step 1 was paid before the crash: the ledger already holds it.
    await book.charge({ key: 'step:1:model', block: 'ai.agent', inputs: {}, reason: 'ai.agent model call 1' });
    openai.script(openAiCompletion('done'));
    const calls = openai.calls().length;
    const out = await agent({}, 'alice', undefined, { checkpoints, nodeExecutionId: 'node-exec-credits', charge: book.charge });
    expect(out.answer).toBe('done');
    expect(openai.calls().length - calls).toBe(1);
    expect(book.charged.map((c) => [c.key, c.block])).toEqual([
      ['step:1:model', 'ai.agent'],
      ['step:1:tool:call_1', 'http.request'],
      ['step:2:model', 'ai.agent'],
    ]);
    expect(book.balance()).toBe(87);
    expect(out.steps).toEqual([expect.objectContaining({ step: 1, tool: 'fetch', rerun: true, cost: 3, model_cost: 5 })]);
    expect((stored.get('node-exec-credits') as { cost: number }).cost).toBe(13);
  });

  it('stops with INSUFFICIENT_CREDITS before the model call it cannot pay, after running what it paid for', async () => {
    const book = ledger(8);
    openai.script(toolCalls([{ id: 'call_1', name: 'fetch', arguments: JSON.stringify({ url: `${api.url}/y` }) }]));
    const calls = openai.calls().length;
    const requests = api.requests.length;
    const error = await rejection(agent({}, 'alice', undefined, { charge: book.charge }));
    expect(error.code).toBe('INSUFFICIENT_CREDITS');
    expect(error.message).toMatch(
      /^The agent stopped after 1 model call and 1 tool call, before ai\.agent model call 2: This ai\.agent model call 2 costs 5 credits/,
    );
    expect(openai.calls().length - calls).toBe(1);
    expect(api.requests.length - requests).toBe(1);
    expect(book.balance()).toBe(0);
  });
});
