// New executions handed straight to this process's worker (no queue job) while up to 4 x concurrency wait
// for a slot; the rest go through BullMQ. A queue delivery of an execution already waiting here (the
// sweep's, or a duplicate) does not run it a second time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EXECUTION_DISPATCHER, type ExecutionDispatcher } from '../../src/executions/queue/execution-dispatcher.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { echoAgent, link, node, saveAgent } from './graphs.fixture.js';

const ADMIN = 'test-admin-key-local-handoff-0123';

describe('local handoff to the worker of the same process', () => {
  let t: TestApp;
  let dispatcher: ExecutionDispatcher;
  const queued: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      label: 'handoff',
      redis: true,
      env: { TRELLIS_ADMIN_API_KEY: ADMIN },
      overrides: { credits: { enabled: false }, executor: { concurrency: 1 } },
    });
    // A short delay keeps its slot (no park): one execution runs at a time, the others wait (the last ~2.5 s).
    await saveAgent(
      t.dataSource,
      echoAgent('hold', { wait: node('time.delay', { duration: '500ms' }) }, [link('text.value', 'wait.value'), link('wait.value', 'result.value')]),
    );
    dispatcher = t.app.get<ExecutionDispatcher>(EXECUTION_DISPATCHER);
    // Observe what goes through the queue (the real dispatch still runs).
    const dispatch = dispatcher.dispatch.bind(dispatcher);
    dispatcher.dispatch = (id, delayMs) => (queued.push(id), dispatch(id, delayMs));
    const dispatchMany = dispatcher.dispatchMany.bind(dispatcher);
    dispatcher.dispatchMany = (ids) => (queued.push(...ids), dispatchMany(ids));
  });
  afterAll(async () => t?.close());

  it('keeps up to 4 x concurrency waiting here, queues the rest, and runs a handed-over execution once when the queue delivers it too', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(t.http)
          .post('/api/graphs/hold/execute')
          .set('X-API-Key', ADMIN)
          .send({ inputs: { text: `n${i}` } }),
      ),
    );
    for (const res of answers) expect(res.status).toBe(202);
    const ids = answers.map((res) => res.body.id as string);
    // One runs, four wait here, the sixth was queued (and the fifth too when the first was not claimed yet).
    const viaQueue = ids.filter((id) => queued.includes(id));
    expect(viaQueue.length).toBeGreaterThanOrEqual(1);
    expect(viaQueue.length).toBeLessThanOrEqual(2);
    // The sweep (or a duplicate delivery) dispatches the waiting ones through the queue as well.
    const handedOver = ids.filter((id) => !queued.includes(id));
    for (const id of handedOver) await dispatcher.dispatch(id);
    // Those deliveries came while some of them still waited here (not yet ended): the case this test is about.
    const unfinished = (await t.dataSource.query(`SELECT id FROM executions WHERE id = ANY($1::uuid[]) AND status <> 'COMPLETED'`, [handedOver])) as unknown[];
    expect(unfinished.length).toBeGreaterThanOrEqual(1);
    const rows = await waitFor(
      () => t.dataSource.query(`SELECT status FROM executions WHERE id = ANY($1::uuid[])`, [ids]) as Promise<Array<{ status: string }>>,
      (r) => r.length === 6 && r.every((e) => e.status === 'COMPLETED'),
      { what: 'all six executions to complete', timeoutMs: 20_000 },
    );
    expect(rows).toHaveLength(6);
    const runs = (await t.dataSource.query(
      `SELECT execution_id, count(*)::int AS runs, max(attempt)::int AS attempt FROM node_executions WHERE execution_id = ANY($1::uuid[]) GROUP BY execution_id`,
      [ids],
    )) as Array<{ runs: number; attempt: number }>;
    expect(runs).toHaveLength(6);
    for (const run of runs) expect(run).toMatchObject({ runs: 3, attempt: 1 });
  });
});
