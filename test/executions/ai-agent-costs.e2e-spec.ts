// ai.agent credits (release-2.md section 4): each model call is charged by model as it is made and each block
// tool run at its block's cost, each once under its key (node execution, step, call), to the execution's user;
// the node attempt itself costs nothing. A user who runs out mid-loop: the loop stops with INSUFFICIENT_CREDITS
// before the call it cannot pay, nothing runs unpaid and the balance never goes below zero. Counted by ledger
// rows and balances (every model call here costs 2, config/costs.yaml's default_model_cost; http.request 1; text.join 0).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, openAiToolCalls, startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import { balanceOf } from '../credits/credits.fixtures.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { metricValue, scrape } from '../helpers/metrics.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

interface ChargeRow {
  amount: number;
  running_balance: number;
  block: string;
  charge_key: string | null;
  attempt: number;
}

describe('ai.agent credits per model call and per tool run', () => {
  let t: TestApp;
  let llm: LlmPeer;
  let api: HttpPeer;
  let alice: MadeUser;
  let bob: MadeUser;
  let carol: MadeUser;

  async function charges(executionId: string): Promise<ChargeRow[]> {
    const rows: Array<Record<string, unknown>> = await t.dataSource.query(
      `SELECT amount, running_balance, block, charge_key, attempt FROM credit_transactions WHERE execution_id = $1 AND type = 'USAGE' ORDER BY id`,
      [executionId],
    );
    return rows.map((r) => ({
      amount: Number(r.amount),
      running_balance: Number(r.running_balance),
      block: String(r.block),
      charge_key: r.charge_key as string | null,
      attempt: Number(r.attempt),
    }));
  }

  async function run(user: MadeUser): Promise<{ id: string; body: Record<string, unknown> }> {
    const res = await request(t.http).post('/api/graphs/priced-agent/execute?wait=20s').set('X-API-Key', user.key).send({ inputs: {} });
    expect(res.status).toBe(200);
    const id = res.body.execution_id as string;
    const detail = await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', user.key);
    expect(detail.status).toBe(200);
    return { id, body: detail.body as Record<string, unknown> };
  }

  const brainOf = (detail: Record<string, unknown>) => (detail.node_executions as Array<Record<string, unknown>>).find((n) => n.node_id === 'brain')!;

  beforeAll(async () => {
    llm = await startLlmPeer('/v1/chat/completions');
    api = await startHttpPeer((req, res) => sendJson(res, 200, { issue: req.url }));
    t = await createTestApp({
      label: 'aiagentcosts',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: {
        credits: { initial_grant: 1 },
        http: { allow_private_addresses: true },
        integrations: { openai: { base_url: `${llm.url}/v1` } },
      },
    });
    alice = await makeUser(t, 'alice');
    bob = await makeUser(t, 'bob');
    carol = await makeUser(t, 'carol');
    for (const [user, amount] of [
      [alice, 99],
      [bob, 2],
      [carol, 1],
    ] as const) {
      const res = await request(t.http).post(`/api/admin/users/${user.user.id}/credits`).set('X-API-Key', ADMIN_KEY).send({ type: 'TOP_UP', amount });
      expect(res.status).toBe(201);
    }
    // An agent tool's child: one code.js node (1 credit), charged to the parent's user as the child's own.
    await saveAgent(
      t.dataSource,
      echoAgent('shouter', { run: node('code.js', { code: 'return input + "!";' }) }, [link('text.value', 'run.input'), link('run.result', 'result.value')]),
    );
    await saveAgent(t.dataSource, {
      name: 'priced-agent',
      nodes: {
        brain: node('ai.agent', {
          provider: 'openai_compatible',
          model: 'local-model',
          task: 'Look up issue 7',
          tools: [
            { name: 'fetch', block: 'http.request', hosts: [`http://127.0.0.1:${api.port}`], inputs: { method: 'GET' } },
            { name: 'join', block: 'text.join' },
            { name: 'shout', agent: 'shouter' },
          ],
        }),
      },
      links: [],
    });
  });

  afterAll(async () => {
    await t?.close();
    await llm?.close();
    await api?.close();
  });

  it('charges every model call and every priced tool run once, under its own key, and shows the cost of each step', async () => {
    llm.script(
      openAiToolCalls([
        ['call_1', 'fetch', { url: `${api.url}/issues/7` }],
        ['call_2', 'join', { items: ['a', 'b'] }],
      ]),
      openAiCompletion('Label: bug'),
    );
    const { id, body } = await run(alice);
    expect(body.status).toBe('COMPLETED');
    // Two model calls (2 each) and the http.request run (1); text.join costs 0 and leaves no row; the attempt itself none.
    expect(await charges(id)).toEqual([
      { amount: -2, running_balance: 98, block: 'ai.agent', charge_key: 'step:1:model', attempt: 1 },
      { amount: -1, running_balance: 97, block: 'http.request', charge_key: 'step:1:tool:call_1', attempt: 1 },
      { amount: -2, running_balance: 95, block: 'ai.agent', charge_key: 'step:2:model', attempt: 1 },
    ]);
    expect(await balanceOf(t.http, alice.key)).toBe(95);
    expect(body.cost).toBe(5);
    const brain = brainOf(body);
    expect(brain.cost).toBe(5);
    expect(brain.ai_agent).toMatchObject({ model_calls: 2, tool_calls: 2, cost: 5 });
    expect((brain.ai_agent as { steps: unknown[] }).steps).toEqual([
      expect.objectContaining({ step: 1, tool: 'fetch', cost: 1, model_cost: 2 }),
      expect.objectContaining({ step: 1, tool: 'join', cost: 0, model_cost: 2, result: { text: 'a,b' } }),
    ]);
  });

  it("charges an agent tool as its child execution: the child's nodes to the same user, nothing to the step itself", async () => {
    llm.script(openAiToolCalls([['call_1', 'shout', { text: 'hi' }]]), openAiCompletion('Shouted'));
    const { id, body } = await run(alice);
    expect(body.status).toBe('COMPLETED');
    const [child] = (await t.dataSource.query(`SELECT id, user_id, status FROM executions WHERE parent_id = $1`, [id])) as Array<{
      id: string;
      user_id: string;
      status: string;
    }>;
    expect(child).toMatchObject({ user_id: alice.user.id, status: 'COMPLETED' });
    expect((await charges(id)).map((c) => [c.block, c.charge_key, c.amount])).toEqual([
      ['ai.agent', 'step:1:model', -2],
      ['ai.agent', 'step:2:model', -2],
    ]);
    expect((await charges(child!.id)).map((c) => [c.block, c.charge_key, c.amount])).toEqual([['code.js', null, -1]]);
    expect(await balanceOf(t.http, alice.key)).toBe(90);
    expect(brainOf(body).ai_agent).toMatchObject({
      cost: 4,
      steps: [expect.objectContaining({ tool: 'shout', result: { result: ['hi!'] }, cost: 0, model_cost: 2 })],
    });
  });

  it('stops before the model call the user cannot pay: INSUFFICIENT_CREDITS, balance 0, that call never made', async () => {
    // No second answer is scripted: a second model call would be counted (and answered 500).
    llm.script(openAiToolCalls([['call_1', 'fetch', { url: `${api.url}/issues/8` }]]));
    const before = llm.calls().length;
    const { id, body } = await run(bob);
    expect(body.status).toBe('FAILED');
    expect(body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', node_id: 'brain' });
    expect(String((body.error as { message: string }).message)).toMatch(
      /stopped after 1 model call and 1 tool call, before ai\.agent model call 2: .*costs 2 credits, and its user has a balance of 0\. Ask an admin/,
    );
    expect(llm.calls().length - before).toBe(1);
    expect((await charges(id)).map((c) => [c.charge_key, c.running_balance])).toEqual([
      ['step:1:model', 1],
      ['step:1:tool:call_1', 0],
    ]);
    expect(await balanceOf(t.http, bob.key)).toBe(0);
    // What ran is in the trace, with its cost.
    expect(brainOf(body).ai_agent).toMatchObject({ model_calls: 1, tool_calls: 1, cost: 3, steps: [expect.objectContaining({ tool: 'fetch', cost: 1 })] });
  });

  it('stops before a tool run the user cannot pay: the tool never runs', async () => {
    llm.script(openAiToolCalls([['call_1', 'fetch', { url: `${api.url}/issues/9` }]]));
    const sent = api.requests.length;
    const { id, body } = await run(carol);
    expect(body.status).toBe('FAILED');
    expect(body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(String((body.error as { message: string }).message)).toMatch(
      /stopped after 1 model call and 0 tool calls, before ai\.agent tool call "fetch" \(http\.request\) of model call 1: .*balance of 0/,
    );
    expect(api.requests.length).toBe(sent);
    expect((await charges(id)).map((c) => c.charge_key)).toEqual(['step:1:model']);
    expect(await balanceOf(t.http, carol.key)).toBe(0);
  });

  it('refuses a tool URL outside its hosts before charging it, and counts model calls (an unlisted model as other), tokens, tool calls and the refusal in /metrics', async () => {
    const figures = async () => {
      const text = await scrape(t);
      return {
        calls: metricValue(text, 'trellis_ai_agent_model_calls_total', { model: 'other' }),
        input: metricValue(text, 'trellis_ai_agent_tokens_total', { model: 'other', kind: 'input' }),
        output: metricValue(text, 'trellis_ai_agent_tokens_total', { model: 'other', kind: 'output' }),
        ok: metricValue(text, 'trellis_ai_agent_tool_calls_total', { kind: 'block', outcome: 'ok' }),
        failed: metricValue(text, 'trellis_ai_agent_tool_calls_total', { kind: 'block', outcome: 'error' }),
        refused: metricValue(text, 'trellis_outbound_refusals_total', { reason: 'tool_host' }),
      };
    };
    const before = await figures();
    llm.script(
      openAiToolCalls([
        ['call_1', 'fetch', { url: 'http://attacker.example/steal' }],
        ['call_2', 'join', { items: ['a'] }],
      ]),
      openAiCompletion('Done', { prompt_tokens: 40, completion_tokens: 5 }),
    );
    const sent = api.requests.length;
    const { id, body } = await run(alice);
    expect(body.status).toBe('COMPLETED');
    // The refused fetch was never charged (nor sent); the two model calls were.
    expect((await charges(id)).map((c) => c.charge_key)).toEqual(['step:1:model', 'step:2:model']);
    expect(api.requests.length).toBe(sent);
    expect(brainOf(body).ai_agent).toMatchObject({
      steps: [
        expect.objectContaining({ tool: 'fetch', cost: 0, error: expect.stringContaining("outside this tool's hosts") }),
        expect.objectContaining({ tool: 'join', result: { text: 'a' } }),
      ],
    });
    const after = await figures();
    expect({
      calls: after.calls - before.calls,
      input: after.input - before.input,
      output: after.output - before.output,
      ok: after.ok - before.ok,
      failed: after.failed - before.failed,
      refused: after.refused - before.refused,
    }).toEqual({ calls: 2, input: 50, output: 7, ok: 1, failed: 1, refused: 1 });
    // A model config/costs.yaml does not list is counted as `other`: a name the user chose never becomes a label.
    expect(await scrape(t)).not.toContain('local-model');
  });
});
