// GET /api/graphs/{id}/analysis: the analysis of a version (costs from config/costs.yaml), seen by whoever
// may see the graph; another user's API graph is a 404, as for GET /api/graphs/{id}.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { makeKey } from '../auth/auth-helpers.js';
import { admin, graphsWorld, type GraphsWorld } from './graphs-helpers.js';

/** A webhook whose body's rows are each sent on (a fan-out), after a lookup retried up to 3 times. */
function rowsAgent(name: string, retries: number): Record<string, unknown> {
  return {
    name,
    vars: { api: 'https://rows.example.com' },
    nodes: {
      hook: { block: 'trigger.webhook' },
      lookup: { block: 'http.request', inputs: { url: '${{ vars.api }}/lookup' }, retry: { attempts: retries, delay: '1s' } },
      each: { block: 'list.iterate' },
      send: { block: 'http.request', inputs: { url: '${{ vars.api }}/rows', method: 'POST' } },
    },
    links: ['hook.body -> lookup.json', 'lookup.json -> each.items', 'each.item -> send.json'],
  };
}

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('GET /api/graphs/{id}/analysis', () => {
  let w: GraphsWorld;
  const as = (key: string) => ({ 'X-API-Key': key });

  beforeAll(async () => {
    w = await graphsWorld('graphanalysis');
    await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).send(rowsAgent('alice-rows', 3)).expect(201);
    await request(w.t.http).put('/api/graphs/alice-rows').set(as(w.alice.key)).send(rowsAgent('alice-rows', 1)).expect(200);
  });

  afterAll(() => w.close());

  it('answers the active version: shape, credits per run (unbounded by the fan-out) and suggestions', async () => {
    const res = await request(w.t.http).get('/api/graphs/alice-rows/analysis').set(as(w.aliceReadOnly)).expect(200);
    expect(res.body).toEqual({
      agent: 'alice-rows',
      version: 2,
      nodes: 4,
      links: 3,
      max_depth: 4,
      parallel_branches: 1,
      critical_path: ['hook', 'lookup', 'each', 'send'],
      cost: {
        min: 1,
        max: null,
        step_bounded: [],
        per_node: {
          each: { block: 'list.iterate', credits: 0, attempts: 1, runs: { min: 1, max: 1 }, min: 0, max: 0 },
          hook: { block: 'trigger.webhook', credits: 0, attempts: 1, runs: { min: 1, max: 1 }, min: 0, max: 0 },
          lookup: { block: 'http.request', credits: 1, attempts: 1, runs: { min: 1, max: 1 }, min: 1, max: 1 },
          send: { block: 'http.request', credits: 1, attempts: 1, runs: { min: 0, max: null }, min: 0, max: null },
        },
      },
      suggestions: [{ kind: 'cost-per-item', node: 'send', message: expect.stringContaining('runs once per value "each" yields') }],
    });
  });

  it('answers another version with ?version=N (its retries count toward the most), 404 for one that does not exist, 400 for a bad one', async () => {
    const first = await request(w.t.http).get('/api/graphs/alice-rows/analysis?version=1').set(as(w.alice.key)).expect(200);
    expect(first.body).toMatchObject({ version: 1, cost: { min: 1, max: null, per_node: { lookup: { attempts: 3, max: 3 } } } });
    const missing = await request(w.t.http).get('/api/graphs/alice-rows/analysis?version=9').set(as(w.alice.key)).expect(404);
    expect(missing.body.error.message).toContain('has no version 9; its versions are 1 to 2');
    await request(w.t.http).get('/api/graphs/alice-rows/analysis?version=zero').set(as(w.alice.key)).expect(400);
  });

  it("is a 404 for another user's API graph, as GET /api/graphs/{id} is; admins and everyone for file graphs see it", async () => {
    const hidden = await request(w.t.http).get('/api/graphs/alice-rows/analysis').set(as(w.bob.key)).expect(404);
    expect(hidden.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No graph "alice-rows"') });
    await request(w.t.http).get('/api/graphs/alice-rows').set(as(w.bob.key)).expect(404);
    await request(w.t.http).get('/api/graphs/alice-rows/analysis').set(admin).expect(200);
    const file = await request(w.t.http).get('/api/graphs/file-agent/analysis').set(as(w.bob.key)).expect(200);
    expect(file.body).toMatchObject({ agent: 'file-agent', version: 1, cost: { min: 0, max: 0 } });
    await request(w.t.http).get('/api/graphs/no-such-graph/analysis').set(admin).expect(404);
  });

  it('needs the graphs:read scope', async () => {
    const runOnly = (await makeKey(w.t, w.alice.key, ['executions:read'])).key;
    await request(w.t.http).get('/api/graphs/alice-rows/analysis').set(as(runOnly)).expect(403);
  });

  it('prices an ai.agent per model call: one at least, max_steps model calls and max_tool_calls block tool calls at most', async () => {
    const agent = {
      name: 'alice-triage',
      nodes: {
        hook: { block: 'trigger.webhook' },
        think: {
          block: 'ai.agent',
          inputs: { model: 'gpt-4.1-mini', max_steps: 3, max_tool_calls: 4, tools: [{ name: 'fetch', block: 'http.request', hosts: ['api.example.com'] }] },
        },
      },
      links: ['hook.body.text -> think.task'],
    };
    await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).send(agent).expect(201);
    const res = await request(w.t.http).get('/api/graphs/alice-triage/analysis').set(as(w.aliceReadOnly)).expect(200);
    const think = res.body.cost.per_node.think;
    expect(think.calls).toEqual({ model_calls: { min: 1, max: 3 }, tool_calls: { max: 4 }, tool_credits: 1, agent_tools: [] });
    expect(think.min).toBe(think.credits);
    expect(think.max).toBe(3 * think.credits + 4 * 1);
    expect(res.body.cost).toMatchObject({ min: think.credits, max: think.max, step_bounded: ['think'] });
  });

  it('is documented in the OpenAPI document', async () => {
    const res = await request(w.t.http).get('/api/openapi.json').expect(200);
    expect(res.body.paths['/api/graphs/{id}/analysis'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/GraphAnalysis',
    });
  });
});
