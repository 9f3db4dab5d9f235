// ai.agent across a stop: a stored conversation continues without repeating a finished model call, and each turn,
// resumed or not, is charged once under its key (an INSUFFICIENT_CREDITS stop before a call it cannot pay).
import { describe, expect, it } from '@jest/globals';
import { rejection } from '../../../../test/blocks/peers/block-context.js';
import { openAiCompletion } from '../../../../test/blocks/peers/llm-peers.js';
import type { AgentCheckpointStore } from '../../agent-tools.runner.js';
import type { BlockCallCharge } from '../../block.types.js';
import { AppError } from '../../../common/errors.js';
import { agent, api, hang, openai, toolCalls, useAgentPeers } from './ai.agent.fixtures.js';

useAgentPeers();

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
