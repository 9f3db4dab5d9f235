import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { fakeTimers, graph, testBlock, testLookup } from './engine.fixtures.js';
import { ranAndNotRan, runGraphInMemory, type MemoryRunEvent, type MemoryRunOptions } from '../memory-run.js';
import type { BlockDefinition } from '../../blocks/block.types.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';

const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string, extra: Record<string, unknown> = {}) => ({ block: 'input', inputs: { name, ...extra } });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Counts how many of its runs are in progress at once. */
function gauge() {
  const state = { current: 0, max: 0, runs: 0 };
  const block: BlockDefinition = {
    ...testBlock({ id: 'test.gauge', inputs: ['value'], required: ['value'], outputs: ['value'] }),
    async *run(inputs) {
      state.current++;
      state.runs++;
      state.max = Math.max(state.max, state.current);
      await tick();
      state.current--;
      yield ['value', inputs.value];
    },
  };
  return { state, block };
}

/** A streaming iterate that lets the event loop turn between yields. */
const slowIterate: BlockDefinition = {
  ...testBlock({ id: 'test.slow_iterate', inputs: ['items'], required: ['items'], outputs: ['item'], streaming: true }),
  async *run(inputs) {
    for (const item of inputs.items as unknown[]) {
      await tick();
      yield ['item', item];
    }
  },
};

function run(definition: AgentDefinition, options: Partial<MemoryRunOptions> = {}, extra: BlockDefinition[] = []) {
  return runGraphInMemory(definition, { blocks: testLookup(extra), timers: fakeTimers(), ...options });
}

describe('runGraphInMemory', () => {
  it('runs a graph and reports every node execution', async () => {
    const definition = graph({ x: input('x'), y: input('y', { default: 2 }), add: 'test.add', r: out('r') }, [
      'x.value -> add.a',
      'y.value -> add.b',
      'add.sum -> r.value',
    ]);
    const result = await run(definition, { inputs: { x: 40 } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { r: [42] }, error: null });
    expect(result.node_executions.map((n) => [n.node_id, n.status])).toEqual([
      ['x', 'COMPLETED'],
      ['y', 'COMPLETED'],
      ['add', 'COMPLETED'],
      ['r', 'COMPLETED'],
    ]);
    const add = result.node_executions.find((n) => n.node_id === 'add')!;
    expect(add).toMatchObject({ block: 'test.add', inputs: { a: 40, b: 2 }, outputs: { sum: [42] }, error: null });
    expect(add.attempts).toEqual([{ attempt: 1, started_at: expect.any(String), ended_at: expect.any(String), error: null }]);
    expect(Date.parse(add.ended_at!)).toBeGreaterThanOrEqual(Date.parse(add.started_at!));
    expect(ranAndNotRan(definition, result)).toEqual({ ran: ['x', 'y', 'add', 'r'], not_ran: [] });
  });

  it('seeds a trigger run and tells which nodes did not run', async () => {
    const definition = graph({ t: 'test.trigger', p: 'test.pass', br: 'test.branch', no: 'test.pass', r: out('r') }, [
      't.body -> br.value',
      'br.yes -> p.value',
      'br.no -> no.value',
      'p.value -> r.value',
    ]);
    const result = await run(definition, { trigger: { node: 't', outputs: { body: 'hello', headers: {} } } });
    expect(result.outputs).toEqual({ r: ['hello'] });
    expect(ranAndNotRan(definition, result)).toEqual({ ran: ['t', 'p', 'br', 'r'], not_ran: ['no'] });
  });

  it('yields mocks instead of running the node', async () => {
    const definition = graph({ x: input('x'), f: { block: 'test.flaky', inputs: { message: 'would fail' } }, r: out('r') }, [
      'x.value -> f.value',
      'f.value -> r.value',
    ]);
    const result = await run(definition, { inputs: { x: 1 }, mocks: { f: { value: 'mocked' } } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { r: ['mocked'] } });
  });

  it('fails a node whose mock yields on the error pin, routable like any failure', async () => {
    const definition = graph({ x: input('x'), p: 'test.pass', r: out('r'), e: out('e') }, ['x.value -> p.value', 'p.value -> r.value', 'p.error -> e.value']);
    const result = await run(definition, { inputs: { x: 1 }, mocks: { p: { error: { code: 'NODE_FAILED', message: 'mocked failure' } } } });
    expect(result.outputs).toEqual({ r: [], e: [{ code: 'NODE_FAILED', message: 'mocked failure' }] });
  });

  it('refuses, before running anything, inputs, triggers and mocks the graph does not have', async () => {
    const definition = graph({ t: 'test.trigger', x: input('x'), p: 'test.pass', r: out('r') }, ['x.value -> p.value', 'p.value -> r.value']);
    const events: MemoryRunEvent[] = [];
    const attempt = run(definition, {
      inputs: { x: 1, nmae: 2 },
      trigger: { node: 'p', outputs: {} },
      mocks: { ghost: {}, x: {}, r: {}, t: {}, p: [] as unknown as Record<string, unknown> },
      onEvent: (e) => events.push(e),
    });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    const error = (await attempt.catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details.problems as Array<{ message: string }>).map((p) => p.message)).toEqual([
      'give either `inputs` (an API-style run) or `trigger` (a trigger run), not both: a trigger run seeds inputs with their defaults',
      '"nmae" is not an input of test-agent; its inputs are: x',
      '"p" is not a trigger node of test-agent; its trigger nodes are: t',
      'mock for "ghost", which is not a node of test-agent; its nodes are: t, x, p, r',
      '"x" is an input node: give its value under `inputs` instead of mocking it',
      '"r" is an output node: it yields nothing to mock',
      '"t" is a trigger node: give what it yields under `trigger` instead of mocking it',
      'the mock for "p" must map output pins to values, like { text: "hello" }',
    ]);
    expect(events).toEqual([]);
  });

  it('never runs more than max_parallel blocks at once', async () => {
    const { state, block } = gauge();
    const items = Array.from({ length: 20 }, (_, i) => i);
    const definition = graph({ l: { block: 'test.spread', inputs: { items } }, g: 'test.gauge', r: out('r') }, ['l.item -> g.value', 'g.value -> r.value'], {
      max_parallel: 3,
    });
    const result = await run(definition, {}, [block]);
    expect(result.outputs.r!.slice().sort((a, b) => (a as number) - (b as number))).toEqual(items);
    expect(state).toEqual({ current: 0, max: 3, runs: 20 });
  });

  it('takes max_parallel from the options when the graph sets none', async () => {
    const { state, block } = gauge();
    const definition = graph({ l: { block: 'test.spread', inputs: { items: [1, 2, 3, 4, 5] } }, g: 'test.gauge' }, ['l.item -> g.value']);
    await run(definition, { maxParallel: 2 }, [block]);
    expect(state.max).toBe(2);
  });

  it('delivers streaming yields while the streaming block still runs', async () => {
    const events: string[] = [];
    const definition = graph({ x: input('x'), it: 'test.slow_iterate', p: 'test.pass', r: out('r') }, [
      'x.value -> it.items',
      'it.item -> p.value',
      'p.value -> r.value',
    ]);
    const result = await run(
      definition,
      { inputs: { x: [1, 2, 3] }, onEvent: (e) => e.type === 'node' && events.push(`${e.node_execution.node_id}:${e.node_execution.status}`) },
      [slowIterate],
    );
    expect(result.outputs).toEqual({ r: [1, 2, 3] });
    expect(events.indexOf('p:COMPLETED')).toBeLessThan(events.indexOf('it:COMPLETED'));
    expect(result.node_executions.find((n) => n.node_id === 'it')!.outputs).toEqual({ item: [1, 2, 3] });
  });

  it('reports each node execution as it moves, and the execution status', async () => {
    const events: string[] = [];
    const definition = graph({ x: input('x'), p: 'test.pass', r: out('r') }, ['x.value -> p.value', 'p.value -> r.value']);
    await run(definition, {
      inputs: { x: 1 },
      onEvent: (e) => events.push(e.type === 'node' ? `${e.node_execution.node_id}:${e.node_execution.status}` : `execution:${e.status}`),
    });
    expect(events).toEqual(['execution:RUNNING', 'x:COMPLETED', 'p:QUEUED', 'p:RUNNING', 'p:COMPLETED', 'r:COMPLETED', 'execution:COMPLETED']);
  });

  it('gives the same outputs every time', async () => {
    const { block } = gauge();
    const definition = graph(
      { x: input('x'), it: 'test.slow_iterate', g: 'test.gauge', c: { block: 'test.collect', inputs: { count: 4 } }, r: out('r'), all: out('all') },
      ['x.value -> it.items', 'it.item -> g.value', 'g.value -> c.item', 'c.items -> r.value', 'g.value -> all.value'],
      { max_parallel: 4 },
    );
    const once = () => run(definition, { inputs: { x: Array.from({ length: 30 }, (_, i) => i) } }, [slowIterate, block]);
    const first = await once();
    for (let i = 0; i < 3; i++) {
      const again = await once();
      expect(again.outputs).toEqual(first.outputs);
      expect(again.node_executions.map((n) => [n.node_id, n.status, n.inputs])).toEqual(first.node_executions.map((n) => [n.node_id, n.status, n.inputs]));
    }
  });

  it('honours time.delay in-process, WAITING without a slot', async () => {
    const timers = fakeTimers([5000]);
    const statuses: string[] = [];
    const definition = graph({ x: input('x'), d: { block: 'test.delay', inputs: { duration: '5s' } }, r: out('r') }, [
      'x.value -> d.value',
      'd.value -> r.value',
    ]);
    const result = await run(definition, {
      inputs: { x: 'later' },
      timers,
      onEvent: (e) => e.type === 'node' && e.node_execution.node_id === 'd' && statuses.push(e.node_execution.status),
    });
    expect(result.outputs).toEqual({ r: ['later'] });
    expect(timers.sleeps).toEqual([5000]);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'WAITING', 'COMPLETED']);
  });

  it('runs agent.run through the child runner and yields the child outputs on their pins', async () => {
    const requests: unknown[] = [];
    const definition = graph({ x: input('x'), sub: { block: 'agent.run', inputs: { agent: 'child', inputs: { q: 1 } } }, a: out('a'), all: out('all') }, [
      'x.value -> sub.inputs.q',
      'sub.answer -> a.value',
      'sub.outputs -> all.value',
    ]);
    const result = await run(definition, {
      inputs: { x: 'question' },
      depth: 2,
      runChild: async (request) => {
        requests.push({ ...request, signal: undefined });
        return { status: 'COMPLETED', outputs: { answer: ['yes', 'no'], other: [] }, error: null };
      },
    });
    expect(requests).toEqual([
      { agent: 'child', inputs: { q: 'question' }, depth: 3, parent_execution_id: expect.any(String), parent_node_id: 'sub', signal: undefined },
    ]);
    expect(result.outputs).toEqual({ a: ['yes', 'no'], all: [{ answer: ['yes', 'no'], other: [] }] });
  });

  it('fans out 2,000 items through a node and collects them', async () => {
    const items = Array.from({ length: 2_000 }, (_, i) => i);
    const definition = graph({ x: input('x'), it: 'test.iterate', p: 'test.pass', c: 'test.collect', r: out('r') }, [
      'x.value -> it.items',
      'it.item -> p.value',
      'p.value -> c.item',
      'c.items -> r.value',
    ]);
    const result = await run(definition, { inputs: { x: items }, maxNodeExecutions: 5_000 });
    expect(result.status).toBe('COMPLETED');
    expect(result.outputs.r).toEqual([items]);
    // x, it, 2,000 runs of p, c, r
    expect(result.node_executions.length).toBe(2_000 + 4);
  });
});
