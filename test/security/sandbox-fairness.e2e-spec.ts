// One agent's flood of sandboxed work cannot hold every worker (release-2 section 1): the sandbox pool
// serves waiting work round-robin across graphs, so another graph's small evaluation runs at the next free
// worker instead of behind the whole flood.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { echoAgent, link, node, saveAgent } from '../executions/graphs.fixture.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = 'test-admin-key-fairness-0123';
const LOOP_MS = 1_500;
const FLOOD = ['a1', 'a2', 'a3', 'a4'];

interface NodeRun {
  node_id: string;
  status: string;
  attempts: Array<{ started_at: string; ended_at: string | null }>;
}

describe('sandbox fairness across graphs', () => {
  let t: TestApp;
  const api = () => request(t.http);
  const detail = async (id: string) =>
    (await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN).expect(200)).body as {
      status: string;
      ended_at: string | null;
      node_executions: NodeRun[];
    };

  beforeAll(async () => {
    t = await createTestApp({ label: 'fairness', env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false }, sandbox: { workers: 2 } } });
    // Graph A: four code.js loops of LOOP_MS each, in parallel. Graph B: return 42.
    const busy = `const end = Date.now() + ${LOOP_MS}; while (Date.now() < end) {} return input;`;
    const loops = Object.fromEntries(FLOOD.map((id) => [id, node('code.js', { code: busy, timeout_ms: 5_000 })]));
    await saveAgent(t.dataSource, echoAgent('flood', loops, [...FLOOD.map((id) => link('text.value', `${id}.input`)), link('a1.result', 'result.value')]));
    await saveAgent(
      t.dataSource,
      echoAgent('small', { answer: node('code.js', { code: 'return 42;' }) }, [link('text.value', 'answer.input'), link('answer.result', 'result.value')]),
    );
  });
  afterAll(async () => t?.close());

  it("runs graph B's return 42 before graph A's flood of four loops has finished", async () => {
    const flood = await api()
      .post('/api/graphs/flood/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } })
      .expect(202);
    // Every loop of A is running or waiting in the pool before B asks.
    await waitFor(
      () => detail(flood.body.id),
      (d) => FLOOD.every((id) => d.node_executions.some((n) => n.node_id === id && n.status === 'RUNNING')),
      { what: "all four of A's loops started", timeoutMs: 20_000 },
    );
    const small = await api()
      .post('/api/graphs/small/execute?wait=30s')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'x' } })
      .expect(200);
    expect(small.body).toMatchObject({ status: 'COMPLETED', outputs: { result: [42] } });
    const smallDone = Date.parse((await detail(small.body.execution_id)).ended_at!);

    const floodDone = await waitFor(
      () => detail(flood.body.id),
      (d) => d.status === 'COMPLETED',
      { what: 'A completed', timeoutMs: 30_000 },
    );
    const loopEnds = floodDone.node_executions.filter((n) => FLOOD.includes(n.node_id)).map((n) => Date.parse(n.attempts.at(-1)!.ended_at!));
    expect(loopEnds).toHaveLength(4);
    // Two workers, four loops: with one queue for everyone B would wait for all four (about 2 x LOOP_MS).
    // Round-robin across graphs gives B the next free worker (at least A's second pair of loops ends after B).
    expect(loopEnds.filter((end) => end > smallDone).length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...loopEnds) - smallDone).toBeGreaterThan(LOOP_MS / 2);
  });
});
