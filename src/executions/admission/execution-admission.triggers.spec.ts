// Admission of executions that are not asked for through the API, with fakes of its ports: triggers' (webhooks,
// GitHub) in the caller's transaction, the local hand-over, schedule fires, and child executions.
import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { HELLO, LIMITED, apiGraph, fileGraph, hello, setup } from './execution-admission.fixtures.js';

describe('ExecutionAdmission: triggers, schedules and children', () => {
  const tx = {} as EntityManager;

  it("writes triggers' executions with their ids in the caller's transaction, as the agent's own trigger", async () => {
    const { admission, seen } = setup();
    const event = { body: { a: 1 } };
    const ids = await admission.triggered(
      [
        { id: 'x1', graph_id: 'hello', graph_version: 2, user_id: 'ada', trigger_node: 'hook', trigger_event: event },
        { id: 'x2', graph_id: 'other', graph_version: 1, user_id: 'bob', trigger_node: 'gh', trigger_event: event },
      ],
      'github',
      tx,
    );
    expect(ids).toEqual(['x1', 'x2']);
    expect(seen.managers).toEqual([tx]);
    expect(seen.rows.map((row) => [row.id, row.source, row.trust, row.trigger_node, row.inputs])).toEqual([
      ['x1', 'github', 'own-trigger', 'hook', {}],
      ['x2', 'github', 'own-trigger', 'gh', {}],
    ]);
    expect(seen.dispatched).toEqual([]);
    await admission.enqueue(ids);
    expect(seen.dispatched).toEqual(['x1', 'x2']);
    expect(seen.dispatchCalls).toBe(1);
  });

  it("hands triggered executions to this process's worker when it has room, except an agent with `concurrency` (the queue keeps its FIFO), the rest in one dispatch", async () => {
    const world = { graphs: { hello: fileGraph('hello'), limited: fileGraph('limited') }, compiled: { 'hello@2': HELLO, 'limited@2': LIMITED } };
    const local = setup({ ...world, local: true });
    await local.admission.handOver([
      { id: 'h1', graph_id: 'hello', graph_version: 2 },
      { id: 'l1', graph_id: 'limited', graph_version: 2 },
    ]);
    expect(local.seen.local).toEqual(['h1']);
    expect(local.seen.dispatched).toEqual(['l1']);
    // No local worker (role api) or no room: every one goes to the queue.
    const remote = setup(world);
    await remote.admission.handOver([
      { id: 'h2', graph_id: 'hello', graph_version: 2 },
      { id: 'h3', graph_id: 'hello', graph_version: 2 },
    ]);
    expect(remote.seen.local).toEqual([]);
    expect(remote.seen.dispatched).toEqual(['h2', 'h3']);
    expect(remote.seen.dispatchCalls).toBe(1);
  });

  it("checks an ad-hoc schedule's inputs as the execute API does, and answers null for a version that is gone", async () => {
    const { admission, seen } = setup(hello);
    expect(await admission.scheduleProblems('hello', 2, { count: 1 }, 'ada')).toEqual([]);
    expect(await admission.scheduleProblems('hello', 2, { count: 1, nobody: 1 }, 'ada')).toEqual([expect.objectContaining({ pointer: '/inputs/nobody' })]);
    expect(await admission.scheduleProblems('hello', 9, {}, 'ada')).toBeNull();
    expect(seen.rows).toEqual([]);
  });

  it("a trigger.cron fire is the agent's own trigger; an ad-hoc schedule's never is", async () => {
    const { admission, seen } = setup();
    const fire = { schedule_id: 's', graph_id: 'hello', graph_version: 2, user_id: 'ada', inputs: {} };
    await admission.scheduled({ ...fire, id: 'c1', trigger_node: 'cron', trigger_event: { fired_at: 'now' } }, tx);
    await admission.scheduled({ ...fire, id: 'a1', trigger_node: null, trigger_event: null, inputs: { count: 1 } }, tx);
    expect(seen.rows.map((row) => [row.id, row.source, row.schedule_id, row.trust])).toEqual([
      ['c1', 'schedule', 's', 'own-trigger'],
      ['a1', 'schedule', 's', 'none'],
    ]);
  });

  it('children are written in the parent step transaction, trusted only as children (settled against their parent)', async () => {
    const { admission, seen } = setup();
    const child = { id: 'k1', graph_id: 'hello', graph_version: 2, user_id: 'ada', parent_id: 'p', parent_node_execution_id: 'n', depth: 2, inputs: {} };
    await admission.children([child], tx);
    expect(seen.rows).toEqual([expect.objectContaining({ ...child, source: 'agent', trust: 'child' })]);
    expect(seen.managers).toEqual([tx]);
  });

  it("starts a child only of a graph the parent's user may see; a missing and a hidden one look alike", async () => {
    const world = {
      graphs: { files: fileGraph('files', 4), mine: apiGraph('mine', 'ada'), off: apiGraph('off', 'ada', false) },
      roles: { ada: 'user', root: 'admin' },
    };
    const { admission } = setup(world);
    expect(await admission.childVersion('files', null, 'bob')).toBe(4);
    expect(await admission.childVersion('mine', null, 'ada')).toBe(1);
    expect(await admission.childVersion('mine', null, 'bob')).toBeNull();
    expect(await admission.childVersion('mine', null, 'root')).toBe(1);
    expect(await admission.childVersion('nothing', null, 'ada')).toBeNull();
    expect(await admission.childVersion('off', null, 'ada')).toBeNull();
    expect(await admission.childVersion('off', 1, 'ada')).toBe(1);
  });
});
