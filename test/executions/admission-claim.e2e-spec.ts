// Claim at admission (src/executions/worker/admission-claim.ts): an instant graph's execution admitted where a
// worker runs is written RUNNING under that worker's lease by its INSERT and runs without a claim UPDATE. It writes
// the same rows and publishes the same events, in the same order, as the normal path (hand-over, then claim); other
// graphs, agents with `concurrency` and role api take the normal path; a worker that took the execution over wins
// (the first runner's write is refused, nothing is written twice, no event is published twice); the finished hook
// and ?wait= still follow. The kill -9 case is admission-claim-kill.e2e-spec.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CompiledGraphs } from '../../src/executions/compiled-graphs.js';
import { EVENT_BUS, type BusEvent, type EventBus } from '../../src/executions/events/execution-events.js';
import { EXECUTION_FINISHED_HOOK, type ExecutionFinishedHook } from '../../src/executions/execution.hooks.js';
import { LocalHandoff } from '../../src/executions/queue/local-handoff.js';
import { ExecutionStoreRepository } from '../../src/executions/worker/execution-store.repository.js';
import { ExecutionWorkerHost } from '../../src/executions/worker/execution-worker.host.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-admission-claim-01';

const shout = (name: string, expression = '$uppercase($)') =>
  echoAgent(name, { shout: node('json.query', { expression }) }, [link('text.value', 'shout.data'), link('shout.result', 'result.value')]);

describe('claim at admission', () => {
  let t: TestApp;
  let worker: ExecutionWorkerHost['worker'];
  let handoff: LocalHandoff;
  let store: ExecutionStoreRepository;
  /** Every execution id a claim statement (the normal path's) asked for. */
  const claimed: string[] = [];
  const events: BusEvent[] = [];
  const finished: Array<{ id: string; status: string; error: unknown }> = [];

  const execute = (agent: string, text = 'hi', wait = '') =>
    request(t.http).post(`/api/graphs/${agent}/execute${wait}`).set('X-API-Key', ADMIN).send({ inputs: { text } });
  const ended = (id: string) =>
    waitFor(
      async () => ((await t.dataSource.query(`SELECT status FROM executions WHERE id = $1`, [id])) as Array<{ status: string }>)[0]?.status,
      (status) => status === 'COMPLETED' || status === 'FAILED',
      { what: `execution ${id} to end`, timeoutMs: 15_000 },
    );
  /** What a run wrote and announced, without what differs between any two runs (ids, times). */
  const trace = async (id: string) => ({
    execution: (
      await t.dataSource.query(
        `SELECT status, outputs, error, cost, node_execution_count, lease_owner, lease_until, started_at >= created_at AS started_after_created,
           ended_at >= started_at AS ended_after_started FROM executions WHERE id = $1`,
        [id],
      )
    )[0] as Record<string, unknown>,
    nodes: (await t.dataSource.query(
      `SELECT seq, node_id, block, status, inputs, outputs, error, attempt, delivered_seq, waiting_for, cost, reused, started_at IS NOT NULL AS started,
         ended_at >= started_at AS ended_after_started, jsonb_array_length(attempts) AS attempts FROM node_executions WHERE execution_id = $1 ORDER BY seq`,
      [id],
    )) as Array<Record<string, unknown>>,
    events: events
      .filter((event) => event.data.execution_id === id)
      .map(({ event, data }) => ({ event, node_id: data.node_id, status: data.status, outputs: data.outputs, error: data.error })),
  });

  beforeAll(async () => {
    t = await createTestApp({ label: 'admitclaim', env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false } } });
    worker = t.app.get(ExecutionWorkerHost).worker;
    handoff = t.app.get(LocalHandoff);
    store = t.app.get(ExecutionStoreRepository);
    // Observe the normal path's claims and the finished hook (the real ones still run).
    const claimMany = store.claimMany.bind(store);
    store.claimMany = (ids, ...rest) => (claimed.push(...ids), claimMany(ids, ...rest));
    const claimLimited = store.claimLimited.bind(store);
    store.claimLimited = (id, ...rest) => (claimed.push(id), claimLimited(id, ...rest));
    const hook = t.app.get<ExecutionFinishedHook>(EXECUTION_FINISHED_HOOK);
    const hookFinished = hook.finished.bind(hook);
    hook.finished = (execution) => (finished.push({ id: execution.id, status: execution.status, error: execution.error }), hookFinished(execution));
    t.app.get<EventBus>(EVENT_BUS).subscribe((event) => events.push(event));
    await saveAgent(t.dataSource, shout('instant'));
    await saveAgent(t.dataSource, shout('broken', '$error("boom")'));
    await saveAgent(
      t.dataSource,
      echoAgent('delayed', { wait: node('time.delay', { duration: '20ms' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
    );
    await saveAgent(t.dataSource, { ...shout('limited'), concurrency: 1 });
  });
  afterAll(async () => t?.close());

  it('writes the same rows and publishes the same events in the same order as the normal path, without a claim statement', async () => {
    // The normal path: this process's worker takes hand-overs but claims nothing at admission.
    handoff.register((id) => worker.take(id));
    const normal = await execute('instant');
    handoff.register(
      (id) => worker.take(id),
      (graph) => worker.claimAtAdmission(graph),
    );
    const fast = await execute('instant');
    for (const res of [normal, fast]) expect(res.body).toMatchObject({ status: 'QUEUED', started_at: null, outputs: null });
    expect(fast.status).toBe(202);
    await ended(normal.body.id);
    await ended(fast.body.id);
    expect(claimed).toContain(normal.body.id);
    expect(claimed).not.toContain(fast.body.id);
    const [normalTrace, fastTrace] = [await trace(normal.body.id), await trace(fast.body.id)];
    expect(fastTrace.execution).toMatchObject({ status: 'COMPLETED', outputs: { result: ['HI'] }, lease_owner: null, started_after_created: true });
    expect(fastTrace.nodes.map((n) => [n.node_id, n.status])).toEqual([
      ['text', 'COMPLETED'],
      ['shout', 'COMPLETED'],
      ['result', 'COMPLETED'],
    ]);
    expect(fastTrace.events.at(-1)).toMatchObject({ event: 'graph_execution_update', status: 'COMPLETED' });
    expect(fastTrace).toEqual(normalTrace);
  });

  it('leaves graphs with a block that is not instant, and agents with concurrency, to the normal path', async () => {
    const delayed = await execute('delayed');
    const limited = await execute('limited');
    expect(await ended(delayed.body.id)).toBe('COMPLETED');
    expect(await ended(limited.body.id)).toBe('COMPLETED');
    expect(claimed).toEqual(expect.arrayContaining([delayed.body.id, limited.body.id]));
  });

  it('answers ?wait= with the outputs, and calls the finished hook for completed and failed executions', async () => {
    const waited = await execute('instant', 'loud', '?wait=10s');
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ status: 'COMPLETED', outputs: { result: ['LOUD'] } });
    const failed = await execute('broken');
    expect(await ended(failed.body.id)).toBe('FAILED');
    expect(claimed).not.toContain(waited.body.execution_id);
    expect(claimed).not.toContain(failed.body.id);
    await waitFor(
      () => finished.filter((f) => f.id === waited.body.execution_id || f.id === failed.body.id),
      (calls) => calls.length === 2,
      { what: 'the finished hook of both executions' },
    );
    expect(finished.find((f) => f.id === waited.body.execution_id)).toMatchObject({ status: 'COMPLETED', error: null });
    expect(finished.find((f) => f.id === failed.body.id)).toMatchObject({ status: 'FAILED', error: { node_id: 'shout' } });
  });

  it('refuses the write of a runner whose execution another worker took over: nothing is written twice, no event twice', async () => {
    // Hold every step write until the execution changed hands (as if its lease had lapsed and another worker claimed it).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: string[] = [];
    const write = store.write.bind(store);
    store.write = async (owner, writes, manager) => {
      held.push(...writes.map((w) => w.id));
      await gate;
      return write(owner, writes, manager);
    };
    const res = await execute('instant', 'once');
    const id = res.body.id as string;
    try {
      await waitFor(
        async () => held,
        (ids) => ids.includes(id),
        { what: 'the first step write to be held' },
      );
      await t.dataSource.query(`UPDATE executions SET lease_owner = 'another-worker', lease_until = now() + interval '1 minute' WHERE id = $1`, [id]);
    } finally {
      store.write = write;
      release();
    }
    // The refused runner stops: nothing of it is written or announced.
    await waitFor(
      () => (worker as unknown as { runners: Map<string, unknown> }).runners.has(id),
      (has) => !has,
      { what: 'the first runner to stop' },
    );
    expect(await t.dataSource.query(`SELECT id FROM node_executions WHERE execution_id = $1`, [id])).toEqual([]);
    expect(events.filter((event) => event.data.execution_id === id)).toEqual([]);
    // The other worker's lease lapses (it died): a sweep's dispatch claims and runs it, once.
    await t.dataSource.query(`UPDATE executions SET lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
    await worker.offer(id);
    expect(await ended(id)).toBe('COMPLETED');
    const rows = (await t.dataSource.query(`SELECT node_id, attempt FROM node_executions WHERE execution_id = $1 ORDER BY seq`, [id])) as Array<{
      node_id: string;
      attempt: number;
    }>;
    // Input and output nodes run no block attempt (attempt 0); the query ran once.
    expect(rows).toEqual([
      { node_id: 'text', attempt: 0 },
      { node_id: 'shout', attempt: 1 },
      { node_id: 'result', attempt: 0 },
    ]);
    const announced = events.filter((event) => event.data.execution_id === id && event.event === 'graph_execution_update');
    expect(announced.map((event) => event.data.status)).toEqual(['COMPLETED']);
  });
});

describe('claim at admission in role api', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ label: 'admitclaimapi', role: 'api', env: { TRELLIS_ADMIN_API_KEY: ADMIN }, overrides: { credits: { enabled: false } } });
    await saveAgent(t.dataSource, shout('instant'));
  });
  afterAll(async () => t?.close());

  it('never happens: the execution is written QUEUED, without a lease, for a worker to claim', async () => {
    const res = await request(t.http)
      .post('/api/graphs/instant/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { text: 'hi' } });
    expect(res.status).toBe(202);
    const graph = await t.app.get(CompiledGraphs).get('instant', 1);
    expect(graph).toBeTruthy();
    expect(t.app.get(LocalHandoff).claim(graph!)).toBeNull();
    const [row] = (await t.dataSource.query(`SELECT status, lease_owner, started_at FROM executions WHERE id = $1`, [res.body.id])) as Array<
      Record<string, unknown>
    >;
    expect(row).toEqual({ status: 'QUEUED', lease_owner: null, started_at: null });
  });
});
