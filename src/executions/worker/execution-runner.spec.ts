// The durable runner with fakes for every port (store writes, child rows, dispatch, clock): no database,
// milliseconds per case. The e2e tests in test/executions prove the same paths against Postgres.
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { callBlockRun } from '../engine/block-attempt.js';
import { fakeTimers, graph, testBlock, testLookup } from '../engine/engine.fixtures.js';
import { compileGraph } from '../engine/graph.compiler.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';
import { noCharge } from '../execution.hooks.js';
import type { ChildRow } from './child-watch.js';
import type { ClaimedExecution, ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import type { NodeRunRecord } from '../engine/engine.types.js';
import { ExecutionRunner, PARK_AFTER_MS, type RunnerDeps } from './execution-runner.js';
import { StepRefusedError } from './store-failure.js';

const START = Date.UTC(2030, 0, 1);
const delayBlock = testBlock({ id: 'test.delay', inputs: ['duration', 'value'], outputs: ['value'], suspend: 'delay' });
const childBlock = testBlock({ id: 'test.child', inputs: ['agent', 'inputs'], outputs: ['outputs', 'r'], suspend: 'child_execution' });
/** Passes `value` through, reaching the outside world (its attempt waits for its RUNNING row). */
const effectBlock = { ...testBlock({ id: 'test.effect', inputs: ['value'], outputs: ['value'], compute: (i) => [['value', i.value]] }), sideEffects: true };
/** Passes `value` through after a real 20 ms: an instant block whose attempt does not end within the turn. */
const slowBlock = {
  ...testBlock({ id: 'test.slow', inputs: ['value'], outputs: ['value'] }),
  async *run(inputs: Record<string, unknown>) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    yield ['value', inputs.value] as const;
  },
};
const blocks = testLookup([delayBlock, childBlock, effectBlock, slowBlock]);

function claimed(overrides: Partial<ClaimedExecution> = {}): ClaimedExecution {
  return {
    id: 'e1',
    graph_id: 'g',
    graph_version: 1,
    user_id: 'u1',
    parent_id: null,
    depth: 0,
    inputs: { x: 5 },
    vars: null,
    trigger_node: null,
    trigger_event: null,
    credentials: {},
    file_trust: false,
    cost: 0,
    deadline_at: new Date(START + 3_600_000),
    fresh: true,
    ...overrides,
  };
}

interface Fake {
  writes: ExecutionWrite[];
  dispatched: Array<[string, number | undefined]>;
  finished: Array<{ status: string; error: unknown; outputs: unknown }>;
  announced: number;
}

function runner(
  definition: AgentDefinition,
  options: {
    stored?: NodeRunRecord[];
    execution?: Partial<ClaimedExecution>;
    write?: (w: ExecutionWrite) => WrittenExecution | null;
    child?: Omit<ChildRow, 'id'>;
  } = {},
) {
  const fake: Fake = { writes: [], dispatched: [], finished: [], announced: 0 };
  // A clock that stands still: due times come out exact (timers fire by their length).
  const timers = { ...fakeTimers(), now: () => START };
  const written = (w: ExecutionWrite): WrittenExecution => ({
    id: w.id,
    status: w.status ?? 'RUNNING',
    graph_id: 'g',
    graph_version: 1,
    user_id: 'u1',
    parent_id: null,
  });
  const deps: RunnerDeps = {
    write: async (w) => {
      fake.writes.push(w);
      return options.write ? options.write(w) : written(w);
    },
    childResults: async (ids) => (options.child ? ids.map((id) => ({ id, ...options.child! })) : []),
    childVersion: async () => 3,
    cancelExecutions: async () => undefined,
    dispatch: (id, delay) => void fake.dispatched.push([id, delay]),
    blocks,
    resolver: { resolve: async () => ({ credentials: {}, problems: [] }) },
    charge: noCharge,
    http: () => ({ fetch: () => Promise.reject(new Error('no network')) }),
    settings: { allowPrivateAddresses: false, maxResponseBytes: 1024 },
    logger: pino({ level: 'silent' }),
    runBlock: callBlockRun,
    timers,
    announce: () => void fake.announced++,
    attemptEnded: () => undefined,
    finished: (w, _e, error, outputs) => void fake.finished.push({ status: w.status, error, outputs }),
  };
  const limits = { maxParallel: 4, nodeTimeoutMs: 60_000, maxNodeExecutions: 100, maxValueBytes: 1024, maxDepth: 3 };
  const run = new ExecutionRunner(claimed(options.execution), compileGraph(definition, blocks), options.stored ?? [], limits, deps);
  return { run, fake, timers };
}

const passGraph = graph({ x: { block: 'input', inputs: { name: 'x' } }, a: 'test.pass', out: { block: 'output', inputs: { name: 'r' } } }, [
  'x.value -> a.value',
  'a.value -> out.value',
]);

describe('ExecutionRunner (fakes, no database)', () => {
  it('runs a fresh execution to COMPLETED, writing each step before acting on it and the outputs with the final one', async () => {
    const { run, fake } = runner(passGraph);
    expect(await run.start()).toBe('finished');
    const last = fake.writes.at(-1)!;
    expect(last).toMatchObject({ status: 'COMPLETED', outputs: { r: [5] }, release: false });
    expect(fake.writes.flatMap((w) => w.runs).filter((r) => r.node_id === 'a' && r.status === 'COMPLETED')).toHaveLength(1);
    expect(fake.finished).toEqual([{ status: 'COMPLETED', error: null, outputs: { r: [5] } }]);
    expect(fake.announced).toBe(fake.writes.length);
  });

  it('writes the node of an instant block once, already COMPLETED, in the step that started it (one write for the whole execution)', async () => {
    const { run, fake } = runner(passGraph);
    expect(await run.start()).toBe('finished');
    expect(fake.writes).toHaveLength(1);
    const rows = fake.writes[0]!.runs.filter((r) => r.node_id === 'a');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'COMPLETED', attempts: [{ attempt: 1, error: null }] });
    expect(rows[0]!.attempts[0]!.ended_at).not.toBeNull();
  });

  it('writes the RUNNING row of a block with side effects before its attempt starts, and COMPLETED in a later step', async () => {
    const definition = graph({ x: { block: 'input', inputs: { name: 'x' } }, a: 'test.effect', out: { block: 'output', inputs: { name: 'r' } } }, [
      'x.value -> a.value',
      'a.value -> out.value',
    ]);
    const { run, fake } = runner(definition);
    expect(await run.start()).toBe('finished');
    const statuses = fake.writes.map((w) => w.runs.filter((r) => r.node_id === 'a').map((r) => r.status));
    expect(statuses).toEqual([['RUNNING'], ['COMPLETED']]);
    expect(fake.finished[0]).toMatchObject({ status: 'COMPLETED', outputs: { r: [5] } });
  });

  it('writes an instant attempt that has not ended within the turn as RUNNING, and its outcome with a later step, once', async () => {
    const definition = graph({ x: { block: 'input', inputs: { name: 'x' } }, a: 'test.slow', out: { block: 'output', inputs: { name: 'r' } } }, [
      'x.value -> a.value',
      'a.value -> out.value',
    ]);
    const { run, fake } = runner(definition);
    expect(await run.start()).toBe('finished');
    const rows = fake.writes.flatMap((w) => w.runs).filter((r) => r.node_id === 'a');
    expect(rows.map((r) => r.status)).toEqual(['RUNNING', 'COMPLETED']);
    expect(rows[1]!.attempts).toHaveLength(1);
    expect(fake.finished[0]).toMatchObject({ status: 'COMPLETED', outputs: { r: [5] } });
  });

  it('parks a long delay: the WAITING row is written, the lease given back and a dispatch set for when it is due', async () => {
    const definition = graph(
      { d: { block: 'test.delay', inputs: { duration: PARK_AFTER_MS * 5, value: 'v' } }, out: { block: 'output', inputs: { name: 'r' } } },
      ['d.value -> out.value'],
    );
    const { run, fake } = runner(definition);
    expect(await run.start()).toBe('parked');
    const waiting = fake.writes.flatMap((w) => w.runs).find((r) => r.node_id === 'd' && r.status === 'WAITING');
    expect(waiting?.waiting_for).toMatchObject({ kind: 'delay', delay_ms: PARK_AFTER_MS * 5 });
    expect(fake.writes.at(-1)).toMatchObject({ release: true, runs: [] });
    const [id, delay] = fake.dispatched.at(-1)!;
    expect(id).toBe('e1');
    expect(delay).toBeGreaterThan(PARK_AFTER_MS * 5 - 100);
    expect(delay).toBeLessThanOrEqual(PARK_AFTER_MS * 5);
  });

  it('resumes a short delay on its timer (the clock port) and completes with the passed-through value', async () => {
    const definition = graph({ d: { block: 'test.delay', inputs: { duration: 500, value: 'v' } }, out: { block: 'output', inputs: { name: 'r' } } }, [
      'd.value -> out.value',
    ]);
    const { run, fake, timers } = runner(definition);
    const end = run.start();
    for (let i = 0; i < 50 && timers.fire(500) === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await end).toBe('finished');
    expect(fake.finished[0]).toMatchObject({ status: 'COMPLETED', outputs: { r: ['v'] } });
  });

  it('resumes from its stored rows after a lost worker: a WAITING delay is re-armed and completed nodes do not run again', async () => {
    const definition = graph(
      {
        x: { block: 'input', inputs: { name: 'x' } },
        a: 'test.pass',
        d: { block: 'test.delay', inputs: { duration: 500 } },
        out: { block: 'output', inputs: { name: 'r' } },
      },
      ['x.value -> a.value', 'a.value -> d.value', 'd.value -> out.value'],
    );
    const first = runner(definition);
    void first.run.start();
    for (let i = 0; i < 50 && !first.fake.writes.some((w) => w.runs.some((r) => r.node_id === 'd' && r.status === 'WAITING')); i++)
      await new Promise((resolve) => setImmediate(resolve));
    first.run.lost();
    const rows = new Map<string, NodeRunRecord>();
    for (const write of first.fake.writes)
      for (const row of write.runs)
        rows.set(row.id, { ...(rows.get(row.id) ?? {}), ...row, inputs: row.inputs_unchanged ? rows.get(row.id)!.inputs : row.inputs });
    const second = runner(definition, { execution: { fresh: false }, stored: [...rows.values()].sort((p, q) => p.seq - q.seq) });
    const end = second.run.start();
    for (let i = 0; i < 50 && second.timers.fire(500) === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await end).toBe('finished');
    expect(second.fake.finished[0]).toMatchObject({ status: 'COMPLETED', outputs: { r: [5] } });
    expect(second.fake.writes.flatMap((w) => w.runs).filter((r) => r.node_id === 'a')).toEqual([]);
  });

  it('writes a child execution with the parent WAITING row, dispatches it once written, and delivers its outputs when it finished', async () => {
    const definition = graph({ c: { block: 'test.child', inputs: { agent: 'kid', inputs: { q: 1 } } }, out: { block: 'output', inputs: { name: 'r' } } }, [
      'c.r -> out.value',
    ]);
    const { run, fake } = runner(definition, { child: { status: 'COMPLETED', outputs: { r: ['done'] }, error: null } });
    expect(await run.start()).toBe('finished');
    const child = fake.writes.flatMap((w) => w.children)[0]!;
    expect(child).toMatchObject({ graph_id: 'kid', graph_version: 3, depth: 1, parent_id: 'e1', inputs: { q: 1 } });
    const parentRow = fake.writes.flatMap((w) => w.runs).find((r) => r.node_id === 'c' && r.status === 'WAITING');
    expect(parentRow?.waiting_for).toEqual({ kind: 'child_execution', execution_id: child.id });
    expect(fake.dispatched).toContainEqual([child.id, undefined]);
    expect(fake.finished[0]).toMatchObject({ status: 'COMPLETED', outputs: { r: ['done'] } });
  });

  it('fails the agent.run node with CHILD_FAILED when its child failed', async () => {
    const definition = graph({ c: { block: 'test.child', inputs: { agent: 'kid', inputs: {} } }, out: { block: 'output', inputs: { name: 'r' } } }, [
      'c.r -> out.value',
    ]);
    const { run, fake } = runner(definition, { child: { status: 'FAILED', outputs: null, error: { code: 'NODE_FAILED', message: 'boom', node_id: 'x' } } });
    expect(await run.start()).toBe('finished');
    expect(fake.finished[0]).toMatchObject({ status: 'FAILED', error: { code: 'CHILD_FAILED', message: expect.stringContaining('boom') } });
  });

  it('fails the execution with STORE_FAILED when the database refuses a step for what it holds, and keeps the rows it takes', async () => {
    const { run, fake } = runner(passGraph, {
      write: (w) => {
        if (w.runs.some((r) => r.node_id === 'a' && r.status === 'COMPLETED')) throw new StepRefusedError(new Error('bad value'));
        return { id: w.id, status: w.status ?? 'RUNNING', graph_id: 'g', graph_version: 1, user_id: 'u1', parent_id: null };
      },
    });
    expect(await run.start()).toBe('finished');
    expect(fake.finished).toHaveLength(1);
    expect(fake.finished[0]).toMatchObject({ status: 'FAILED', error: { code: 'STORE_FAILED', node_id: 'a' } });
  });

  it('ends as lost, announcing nothing, when the lease is gone at the first write', async () => {
    const { run, fake } = runner(passGraph, { write: () => null });
    expect(await run.start()).toBe('lost');
    expect(fake.announced).toBe(0);
    expect(fake.finished).toEqual([]);
  });

  it('fails with EXECUTION_TIMEOUT when the deadline has passed already', async () => {
    const { run, fake } = runner(passGraph, { execution: { deadline_at: new Date(START - 1) } });
    expect(await run.start()).toBe('finished');
    expect(fake.finished[0]).toMatchObject({ status: 'FAILED', error: { code: 'EXECUTION_TIMEOUT' } });
  });
});
