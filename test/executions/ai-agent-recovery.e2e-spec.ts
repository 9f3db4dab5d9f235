// kill -9 of the worker while an ai.agent's tool runs: the next worker continues the stored conversation.
// Counted: the model call that finished is not repeated (2 model calls in all), the tool that was running
// runs again under the at-least-once rule (2 tool requests), and the trace marks that step `rerun`. Credits:
// every model call and tool run is charged once (ledger rows by key), however often it ran; a model call in
// flight at the kill is made again and not paid again.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, startLlmPeer, type LlmPeer } from '../blocks/peers/llm-peers.js';
import type { TestApp } from '../helpers/app.js';
import { apiAppWithWorker, ensureServerBuilt, type ServerProcess, type ServerProcesses } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-aiagent-recovery-01';

describe('an ai.agent across kill -9 mid-loop', () => {
  let t: TestApp;
  let llm: LlmPeer;
  let api: HttpPeer;
  let workers: ServerProcesses;
  let firstWorker: ServerProcess;
  /** The first tool request is held open (the worker dies meanwhile); later ones are answered. */
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    await ensureServerBuilt();
    llm = await startLlmPeer('/v1/chat/completions');
    api = await startHttpPeer((req, res) => {
      if (api.requests.length === 1) return void held.push(res);
      sendJson(res, 200, { issue: req.url });
    });
    // The first test's worker boots beside the app.
    ({ t, workers, firstWorker } = await apiAppWithWorker(
      { label: 'aiagentrecover', env: { TRELLIS_ADMIN_API_KEY: ADMIN } },
      {
        env: {
          TRELLIS_ADMIN_API_KEY: ADMIN,
          TRELLIS_EXECUTOR__LEASE: '2s',
          TRELLIS_EXECUTOR__SWEEP_INTERVAL: '250ms',
          TRELLIS_HTTP__ALLOW_PRIVATE_ADDRESSES: 'true',
          TRELLIS_INTEGRATIONS__OPENAI__BASE_URL: `${llm.url}/v1`,
        },
      },
    ));
    await saveAgent(t.dataSource, {
      name: 'durable-agent',
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
  }, 300_000);

  async function charges(executionId: string): Promise<Array<[string, number]>> {
    const rows = (await t.dataSource.query(`SELECT charge_key, amount FROM credit_transactions WHERE execution_id = $1 AND type = 'USAGE' ORDER BY id`, [
      executionId,
    ])) as Array<{ charge_key: string; amount: string }>;
    return rows.map((r) => [r.charge_key, Number(r.amount)]);
  }

  afterAll(async () => {
    await workers?.killAll();
    for (const res of held) res.destroy();
    await t?.close();
    await llm?.close();
    await api?.close();
  });

  it('repeats no finished model call, re-runs the tool that was running, and says so in the trace', async () => {
    const call = openAiCompletion('', { prompt_tokens: 11, completion_tokens: 3 });
    (call.body as { choices: { message: Record<string, unknown> }[] }).choices[0]!.message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_issue', arguments: JSON.stringify({ url: `${api.url}/issues/7` }) } }],
    };
    llm.script(call, openAiCompletion('Label: bug', { prompt_tokens: 20, completion_tokens: 4 }));
    const first = firstWorker;
    const res = await request(t.http)
      .post('/api/graphs/durable-agent/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Triage issue 7' } });
    expect(res.status).toBe(202);
    const id = (res.body.id ?? res.body.execution_id) as string;
    await waitFor(
      () => api.requests.length,
      (n) => n === 1,
      { what: 'the tool to be running', timeoutMs: 60_000 },
    );
    const stored = (await t.dataSource.query(
      `SELECT c.state FROM ai_agent_conversations c JOIN node_executions n ON n.id = c.node_execution_id WHERE n.execution_id = $1`,
      [id],
    )) as Array<{ state: { modelCalls: number; toolCalls: number } }>;
    expect(stored[0]!.state).toMatchObject({ modelCalls: 1, toolCalls: 1 });
    await first.kill();
    expect(llm.calls()).toHaveLength(1);

    workers.start('worker');
    const done = await waitFor(
      () =>
        t.dataSource.query(`SELECT status, outputs FROM executions WHERE id = $1`, [id]) as Promise<
          Array<{ status: string; outputs: Record<string, unknown[]> }>
        >,
      (rows) => rows[0]?.status === 'COMPLETED' || rows[0]?.status === 'FAILED',
      { timeoutMs: 60_000, what: 'the second worker to finish the execution' },
    );
    expect(done[0]!.status).toBe('COMPLETED');
    expect(done[0]!.outputs.answer).toEqual(['Label: bug']);
    const steps = done[0]!.outputs.steps![0] as Array<Record<string, unknown>>;
    expect(steps).toEqual([expect.objectContaining({ step: 1, tool: 'get_issue', rerun: true, result: expect.objectContaining({ status: 200 }) })]);
    // Two model calls in all: the first (finished before the kill) was not repeated.
    expect(llm.calls()).toHaveLength(2);
    // The tool ran twice: once when the worker died, once again on the next worker.
    expect(api.requests.map((r) => r.url)).toEqual(['/issues/7', '/issues/7']);
    const resent = (llm.calls()[1]!.json as { messages: Array<{ role: string }> }).messages.map((m) => m.role);
    expect(resent).toEqual(['user', 'assistant', 'tool']);
    // Charged once each: model call 1 (the default model cost, 2), the tool (1, though it ran twice), model call 2.
    expect(await charges(id)).toEqual([
      ['step:1:model', -2],
      ['step:1:tool:call_1', -1],
      ['step:2:model', -2],
    ]);
  }, 180_000);

  it('makes a model call in flight at the kill again, and charges it once', async () => {
    // One worker at a time here: the previous test's second worker when it still runs, the one killed below.
    const first = await workers.sole('worker');
    llm.script({ status: 200, body: null, hang: true }, openAiCompletion('Label: question'));
    const before = llm.calls().length;
    const res = await request(t.http)
      .post('/api/graphs/durable-agent/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Triage issue 8' } });
    expect(res.status).toBe(202);
    const id = (res.body.id ?? res.body.execution_id) as string;
    await waitFor(
      () => llm.calls().length - before,
      (n) => n === 1,
      { what: 'the first model call to be in flight', timeoutMs: 60_000 },
    );
    expect(await charges(id)).toEqual([['step:1:model', -2]]);
    await first.kill();

    workers.start('worker');
    const done = await waitFor(
      () => t.dataSource.query(`SELECT status, cost FROM executions WHERE id = $1`, [id]) as Promise<Array<{ status: string; cost: number }>>,
      (rows) => rows[0]?.status === 'COMPLETED' || rows[0]?.status === 'FAILED',
      { timeoutMs: 60_000, what: 'the second worker to finish the execution' },
    );
    expect([done[0]!.status, Number(done[0]!.cost)]).toEqual(['COMPLETED', 2]);
    // Made twice (at-least-once), paid once.
    expect(llm.calls().length - before).toBe(2);
    expect(await charges(id)).toEqual([['step:1:model', -2]]);
  }, 180_000);
});
