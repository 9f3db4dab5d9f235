// Stopping an execution whose ai.agent waits on an agent tool's child execution: the child, still running,
// is cancelled with it (its running request aborted, its later nodes never run), the model is not called
// again, and nothing is charged after the stop. Counted by ledger rows: the parent's one model call (the
// default model cost, 2) and the child's http.request attempt (1), nothing else.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import type { HttpPeer } from '../blocks/peers/http-peer.js';
import { openAiCompletion, openAiToolCalls, type LlmPeer } from '../blocks/peers/llm-peers.js';
import type { TestApp } from '../helpers/app.js';
import { startStopHarness, type HeldRequest } from './ai-agent-stop.fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from './graphs.fixture.js';

describe('stopping an ai.agent while its agent tool runs', () => {
  let t: TestApp;
  let llm: LlmPeer;
  let api: HttpPeer;
  let held: HeldRequest;

  beforeAll(async () => {
    ({ t, llm, api, held } = await startStopHarness('aiagentchildstop', ADMIN_KEY));
    await saveAgent(t.dataSource, {
      name: 'slow-lookup',
      nodes: {
        q: node('input', { name: 'q', type: 'string' }),
        fetch: node('http.request', { method: 'POST', url: `${api.url}/search` }),
        after: node('code.js', { code: 'return input;' }),
        found: node('output', { name: 'found' }),
      },
      links: [link('q.value', 'fetch.body'), link('fetch.status', 'after.input'), link('after.result', 'found.value')],
    });
    await saveAgent(t.dataSource, {
      name: 'delegator',
      nodes: {
        brain: node('ai.agent', { provider: 'openai_compatible', model: 'local-model', task: 'Find it', tools: [{ name: 'lookup', agent: 'slow-lookup' }] }),
      },
      links: [],
    });
  });

  afterAll(async () => {
    held.response?.destroy();
    await t?.close();
    await llm?.close();
    await api?.close();
  });

  async function charged(executionIds: string[]): Promise<Array<[string, string | null, number]>> {
    const rows = (await t.dataSource.query(
      `SELECT block, charge_key, amount FROM credit_transactions WHERE execution_id = ANY($1::uuid[]) AND type = 'USAGE' ORDER BY id`,
      [executionIds],
    )) as Array<{ block: string; charge_key: string | null; amount: string }>;
    return rows.map((r) => [r.block, r.charge_key, Number(r.amount)]);
  }

  it('cancels the running child, aborts its request, calls the model no more and charges nothing after the stop', async () => {
    llm.script(openAiToolCalls([['call_1', 'lookup', { q: 'crash' }]]), openAiCompletion('never asked for'));
    const started = await request(t.http).post('/api/graphs/delegator/execute').set('X-API-Key', ADMIN_KEY).send({});
    expect(started.status).toBe(202);
    const id = (started.body.id ?? started.body.execution_id) as string;
    await waitFor(
      () => api.requests.length,
      (n) => n === 1,
      { what: "the child's request to be running", timeoutMs: 20_000 },
    );
    const [child] = (await t.dataSource.query(`SELECT id, status FROM executions WHERE parent_id = $1`, [id])) as Array<{ id: string; status: string }>;
    expect(child!.status).toBe('RUNNING');
    const before = await charged([id, child!.id]);
    expect(before).toEqual([
      ['ai.agent', 'step:1:model', -2],
      ['http.request', null, -1],
    ]);

    const stopped = await request(t.http).post(`/api/graphs/delegator/executions/${id}/stop`).set('X-API-Key', ADMIN_KEY);
    expect(stopped.status).toBe(200);
    await waitFor(() => held.closed, Boolean, { what: "the child's request to be aborted", timeoutMs: 10_000 });
    const rows = await waitFor(
      async () =>
        (await t.dataSource.query(
          `SELECT e.id, e.status, (SELECT count(*)::int FROM node_executions n WHERE n.execution_id = e.id AND n.status IN ('RUNNING', 'QUEUED')) AS live
             FROM executions e WHERE e.id = ANY($1::uuid[]) ORDER BY e.parent_id NULLS FIRST`,
          [[id, child!.id]],
        )) as Array<{ id: string; status: string; live: number }>,
      (list) => list.every((r) => r.status === 'CANCELLED' && r.live === 0),
      { what: 'parent and child CANCELLED with nothing running', timeoutMs: 10_000 },
    );
    expect(rows.map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    // The child's node after the request never ran; the parent made no second model call; no charge came after the stop.
    const after = (await t.dataSource.query(`SELECT status FROM node_executions WHERE execution_id = $1 AND node_id = 'after'`, [child!.id])) as Array<{
      status: string;
    }>;
    expect(after.every((n) => n.status !== 'COMPLETED')).toBe(true);
    expect(llm.calls()).toHaveLength(1);
    expect(await charged([id, child!.id])).toEqual(before);
    const detail = await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN_KEY);
    expect(detail.body.cost).toBe(2);
  });
});
