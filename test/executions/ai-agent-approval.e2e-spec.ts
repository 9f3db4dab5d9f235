// ai.agent tools with require_approval, end to end on the durable worker and the reviews API, on both
// providers' SDKs against local servers: the tool call parks the node (WAITING, reason `tool`) on a review
// that shows the tool and its arguments; approving runs the tool and the loop goes on without repeating
// the model call; rejecting sends {"error": "rejected by reviewer"} back to the model and never runs it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { anthropicMessage, anthropicText, openAiCompletion, startLlmPeer, type LlmPeer, type ScriptedAnswer } from '../blocks/peers/llm-peers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-aiagent-approval-01';

function openAiToolCall(name: string, args: unknown): ScriptedAnswer {
  const answer = openAiCompletion('', { prompt_tokens: 10, completion_tokens: 2 });
  const body = answer.body as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
  body.choices[0]!.message = {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } }],
  };
  body.choices[0]!.finish_reason = 'tool_calls';
  return answer;
}

describe('ai.agent tools that require approval', () => {
  let t: TestApp;
  let openai: LlmPeer;
  let anthropic: LlmPeer;
  let api: HttpPeer;
  const http = () => request(t.http);

  async function agent(name: string, provider: string): Promise<void> {
    await saveAgent(t.dataSource, {
      name,
      nodes: {
        task: node('input', { name: 'task', type: 'string' }),
        brain: node('ai.agent', {
          provider,
          model: provider === 'anthropic' ? 'claude-sonnet-4-6' : 'local-model',
          reviewers: { roles: ['admin'] },
          tools: [{ name: 'add_label', block: 'http.request', hosts: [`http://127.0.0.1:${api.port}`], inputs: { method: 'GET' }, require_approval: true }],
        }),
        answer: node('output', { name: 'answer' }),
        steps: node('output', { name: 'steps' }),
      },
      links: [link('task.value', 'brain.task'), link('brain.answer', 'answer.value'), link('brain.steps', 'steps.value')],
    });
  }

  async function parkedReview(executionId: string): Promise<Record<string, unknown>> {
    const [row] = await waitFor(
      () =>
        t.dataSource.query(
          `SELECT r.id, r.tool_call_id, n.status, n.waiting_for FROM reviews r JOIN node_executions n ON n.id = r.node_execution_id WHERE r.execution_id = $1`,
          [executionId],
        ) as Promise<Array<{ id: string; tool_call_id: string; status: string; waiting_for: { kind: string } | null }>>,
      (rows) => rows[0]?.status === 'WAITING',
      { what: 'the ai.agent node WAITING on a review', timeoutMs: 20_000 },
    ).catch(async (error: unknown) => {
      const detail = await http().get(`/api/executions/${executionId}`).set('X-API-Key', ADMIN);
      throw new Error(`${String(error)}: ${JSON.stringify(detail.body).slice(0, 2000)}`);
    });
    expect(row!.waiting_for).toMatchObject({ kind: 'tool', review_ids: [row!.id] });
    expect(row!.tool_call_id).toBe('1:call_1');
    const detail = await http().get(`/api/executions/${executionId}`).set('X-API-Key', ADMIN);
    expect(detail.body.status).toBe('RUNNING');
    expect(detail.body.node_executions.find((n: { node_id: string }) => n.node_id === 'brain').waiting_reason).toBe('tool');
    const review = await http().get(`/api/reviews/${row!.id}`).set('X-API-Key', ADMIN);
    expect(review.status).toBe(200);
    return review.body as Record<string, unknown>;
  }

  async function finished(executionId: string): Promise<Record<string, unknown>> {
    return waitFor(
      async () => (await http().get(`/api/executions/${executionId}`).set('X-API-Key', ADMIN)).body as Record<string, unknown>,
      (e) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(e.status as string),
      { what: 'the execution to finish', timeoutMs: 20_000 },
    );
  }

  beforeAll(async () => {
    openai = await startLlmPeer('/v1/chat/completions');
    anthropic = await startLlmPeer('/v1/messages');
    api = await startHttpPeer((req, res) => sendJson(res, 200, { labelled: req.url }));
    t = await createTestApp({
      label: 'aiagentapproval',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN, ANTHROPIC_API_KEY: 'sk-ant-test-approval-0123456789' },
      overrides: {
        credits: { enabled: false },
        http: { allow_private_addresses: true },
        integrations: { openai: { base_url: `${openai.url}/v1` }, anthropic: { base_url: anthropic.url } },
      },
    });
    await agent('approve-openai', 'openai_compatible');
    await agent('approve-anthropic', 'anthropic');
  });
  afterAll(async () => {
    await t?.close();
    await openai?.close();
    await anthropic?.close();
    await api?.close();
  });

  it('parks on a review showing the tool and arguments (OpenAI); approving runs the tool once and the loop goes on without repeating the model call', async () => {
    openai.script(
      openAiToolCall('add_label', { url: `${api.url}/labels/bug` }),
      openAiCompletion('Labelled as bug', { prompt_tokens: 20, completion_tokens: 4 }),
    );
    const started = await http()
      .post('/api/graphs/approve-openai/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Label issue 7' } });
    expect(started.status).toBe(202);
    const id = (started.body.id ?? started.body.execution_id) as string;
    const review = await parkedReview(id);
    expect(review).toMatchObject({ status: 'pending', data: { tool: 'add_label', arguments: { url: `${api.url}/labels/bug` } } });
    expect(String(review.body)).toContain('add_label');
    expect(api.requests).toHaveLength(0);

    const decided = await http()
      .post(`/api/reviews/${String(review.id)}`)
      .set('X-API-Key', ADMIN)
      .send({ decision: 'approve' });
    expect(decided.status).toBe(200);
    const done = await finished(id);
    expect(done.status).toBe('COMPLETED');
    expect((done.outputs as Record<string, unknown[]>).answer).toEqual(['Labelled as bug']);
    const steps = (done.outputs as { steps: Array<Array<Record<string, unknown>>> }).steps[0]!;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ step: 1, tool: 'add_label', result: { status: 200, json: { labelled: '/labels/bug' } } });
    expect(steps[0]!.rerun).toBeUndefined();
    expect(api.requests.map((r) => r.url)).toEqual(['/labels/bug']);
    // One model call before the review and one after: the first was not repeated when the node ran again.
    expect(openai.calls()).toHaveLength(2);
  });

  it('rejecting (Anthropic) sends "rejected by reviewer" back to the model as the tool result and never runs the tool', async () => {
    const before = api.requests.length;
    anthropic.script(
      anthropicMessage([{ type: 'tool_use', id: 'toolu_01', name: 'add_label', input: { url: `${api.url}/labels/wontfix` } }], undefined, 'tool_use'),
      anthropicMessage([anthropicText('Not labelled: a reviewer said no')]),
    );
    const started = await http()
      .post('/api/graphs/approve-anthropic/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Label issue 8' } });
    const id = (started.body.id ?? started.body.execution_id) as string;
    const review = await waitFor(
      async () =>
        (await t.dataSource.query(`SELECT id, tool_call_id FROM reviews WHERE execution_id = $1`, [id])) as Array<{ id: string; tool_call_id: string }>,
      (rows) => rows.length > 0,
      { what: 'the review of the tool call', timeoutMs: 20_000 },
    );
    expect(review[0]!.tool_call_id).toBe('1:toolu_01');
    const decided = await http().post(`/api/reviews/${review[0]!.id}`).set('X-API-Key', ADMIN).send({ decision: 'reject', comment: 'not a bug' });
    expect(decided.status).toBe(200);
    const done = await finished(id);
    expect(done.status).toBe('COMPLETED');
    expect((done.outputs as Record<string, unknown[]>).answer).toEqual(['Not labelled: a reviewer said no']);
    const steps = (done.outputs as { steps: Array<Array<Record<string, unknown>>> }).steps[0]!;
    expect(steps).toEqual([expect.objectContaining({ tool: 'add_label', error: 'rejected by reviewer' })]);
    expect(api.requests.length).toBe(before);
    const second = JSON.parse(anthropic.calls()[1]!.body) as { messages: Array<{ role: string; content: unknown }> };
    expect(second.messages[2]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '{"error":"rejected by reviewer"}', is_error: true }],
    });
    expect(anthropic.calls()).toHaveLength(2);
  });

  it('a review nobody decides in time: the model is told it timed out, the tool never runs, and the loop goes on to an answer', async () => {
    const before = api.requests.length;
    const calls = openai.calls().length;
    openai.script(openAiToolCall('add_label', { url: `${api.url}/labels/late` }), openAiCompletion('Not labelled: nobody approved in time'));
    const started = await http()
      .post('/api/graphs/approve-openai/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { task: 'Label issue 9' } });
    const id = (started.body.id ?? started.body.execution_id) as string;
    const review = await parkedReview(id);
    // Tool reviews last the default review timeout (7 days): once the execution is parked, its due time is moved to now,
    // as if the days had passed; the sweep then wakes it and the review times out (on_timeout: reject).
    await waitFor(
      async () => ((await t.dataSource.query(`SELECT lease_owner FROM executions WHERE id = $1`, [id])) as Array<{ lease_owner: string | null }>)[0]!,
      (row) => row.lease_owner === null,
      { what: 'the execution to be parked', timeoutMs: 20_000 },
    );
    await t.dataSource.query(`UPDATE reviews SET expires_at = now() WHERE id = $1`, [review.id]);
    await t.dataSource.query(`UPDATE node_executions SET resume_at = now() WHERE execution_id = $1 AND status = 'WAITING'`, [id]);
    const done = await finished(id);
    expect(done.status).toBe('COMPLETED');
    expect((done.outputs as Record<string, unknown[]>).answer).toEqual(['Not labelled: nobody approved in time']);
    const timedOut = 'rejected by reviewer: no reviewer decided before the review timed out, so the tool did not run';
    expect((done.outputs as { steps: Array<Array<Record<string, unknown>>> }).steps[0]).toEqual([
      expect.objectContaining({ tool: 'add_label', error: timedOut }),
    ]);
    const second = JSON.parse(openai.calls()[calls + 1]!.body) as { messages: Array<{ role: string; content: unknown }> };
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ error: timedOut }) });
    expect(openai.calls().length - calls).toBe(2);
    expect(api.requests.length).toBe(before);
    const rows = (await t.dataSource.query(`SELECT status FROM reviews WHERE id = $1`, [review.id])) as Array<{ status: string }>;
    expect(rows).toEqual([{ status: 'timed_out' }]);
  });
});
