// Node retry policies end to end on the durable worker, through the real Anthropic SDK pointed at a local
// Messages server: a permanent error (401) is tried once and charged once even with attempts left; a
// transient one (529 overloaded) is tried again; `on: [CODE]` retries a listed permanent code. Node and
// execution errors carry the block's own code and details.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { anthropicError, anthropicMessage, anthropicText, startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-retrypolicy-0123';
const MODEL = 'claude-sonnet-4-6';

interface Charge {
  attempt: number;
  amount: number;
}

describe('node retry policies', () => {
  let t: TestApp;
  let llm: LlmPeer;

  const agent = (name: string, on?: string[]) =>
    saveAgent(t.dataSource, {
      name,
      nodes: {
        ask: node(
          'llm.chat',
          { provider: 'anthropic', model: MODEL, prompt: 'hi' },
          { retry: { attempts: 3, backoff: 'fixed', delay: 1, ...(on ? { on } : {}) } },
        ),
        text: node('output', { name: 'text' }),
      },
      links: [link('ask.text', 'text.value')],
    });

  const run = async (name: string) => {
    const res = await request(t.http).post(`/api/graphs/${name}/execute?wait=20s`).set('X-API-Key', ADMIN).send({});
    expect(res.status).toBe(200);
    const detail = await request(t.http).get(`/api/executions/${res.body.execution_id}`).set('X-API-Key', ADMIN);
    const ask = detail.body.node_executions.find((n: { node_id: string }) => n.node_id === 'ask');
    const charges = (await t.dataSource.query(
      `SELECT attempt, -amount AS amount FROM credit_transactions WHERE execution_id = $1 AND type = 'USAGE' ORDER BY attempt`,
      [res.body.execution_id],
    )) as Charge[];
    return { body: res.body, ask, charges: charges.map((c) => ({ attempt: Number(c.attempt), amount: Number(c.amount) })) };
  };

  beforeAll(async () => {
    llm = await startLlmPeer('/v1/messages');
    t = await createTestApp({
      label: 'retrypolicy',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN, ANTHROPIC_API_KEY: 'sk-ant-test-retry-policy-key' },
      overrides: { integrations: { anthropic: { base_url: llm.url } } },
    });
    await agent('auth-fails');
    await agent('overloaded');
    await agent('bad-request-listed', ['transient', 'LLM_BAD_REQUEST']);
  });
  afterAll(async () => {
    await t?.close();
    await llm?.close();
  });

  it('tries a 401 from Anthropic once and charges it once, though the node has attempts left', async () => {
    const before = llm.calls().length;
    llm.script(anthropicError(401, 'authentication_error', 'invalid x-api-key'));
    const { body, ask, charges } = await run('auth-fails');
    expect(llm.calls().length - before).toBe(1);
    expect(body.status).toBe('FAILED');
    expect(body.error).toMatchObject({ code: 'LLM_AUTH_FAILED', node_id: 'ask', message: expect.stringContaining('refused the API key (401') });
    expect(ask.status).toBe('FAILED');
    expect(ask.attempts).toHaveLength(1);
    expect(ask.error).toMatchObject({ code: 'LLM_AUTH_FAILED', details: { status: 401, provider: 'anthropic', model: MODEL } });
    expect(charges).toEqual([{ attempt: 1, amount: 6 }]);
  });

  it('tries an overloaded answer (529) again, charging each attempt, and completes', async () => {
    const before = llm.calls().length;
    // The SDK retries 5xx itself (twice) before the node's attempt fails: three 529s end attempt 1.
    const overloaded = anthropicError(529, 'overloaded_error', 'Overloaded');
    llm.script(overloaded, overloaded, overloaded, anthropicMessage([anthropicText('hello')]));
    const { body, ask, charges } = await run('overloaded');
    expect(body).toMatchObject({ status: 'COMPLETED', outputs: { text: ['hello'] } });
    expect(llm.calls().length - before).toBe(4);
    expect(ask.attempts.map((a: { error: { code: string } | null }) => a.error?.code ?? null)).toEqual(['LLM_UNAVAILABLE', null]);
    expect(charges).toEqual([
      { attempt: 1, amount: 6 },
      { attempt: 2, amount: 6 },
    ]);
  });

  it('retries a permanent code the node lists in retry.on', async () => {
    const before = llm.calls().length;
    llm.script(anthropicError(400, 'invalid_request_error', 'max_tokens too large'), anthropicMessage([anthropicText('fine')]));
    const { body, ask } = await run('bad-request-listed');
    expect(body).toMatchObject({ status: 'COMPLETED', outputs: { text: ['fine'] } });
    expect(llm.calls().length - before).toBe(2);
    expect(ask.attempts.map((a: { error: { code: string } | null }) => a.error?.code ?? null)).toEqual(['LLM_BAD_REQUEST', null]);
  });
});
