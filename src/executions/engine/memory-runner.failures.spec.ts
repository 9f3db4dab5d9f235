import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { fakeTimers, graph, testBlock, testLookup } from './engine.fixtures.js';
import { runGraphInMemory, type MemoryRunOptions } from '../memory-run.js';
import type { BlockDefinition } from '../../blocks/block.types.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';

const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string) => ({ block: 'input', inputs: { name } });

/** Waits until its signal aborts, and remembers that it saw the abort. */
function waiter() {
  const seen = { started: 0, aborted: [] as unknown[] };
  const block: BlockDefinition = {
    ...testBlock({ id: 'test.wait', inputs: ['value'], outputs: ['value'] }),
    async *run(_inputs, context) {
      seen.started++;
      await new Promise<void>((_, reject) =>
        context.signal.addEventListener('abort', () => {
          seen.aborted.push(context.signal.reason);
          reject(new Error('aborted'));
        }),
      );
      yield ['value', 'never'];
    },
  };
  return { seen, block };
}

/** Ignores its signal and never finishes. */
const stuck: BlockDefinition = {
  ...testBlock({ id: 'test.stuck', inputs: ['value'], outputs: ['value'] }),
  async *run() {
    await new Promise(() => undefined);
    yield ['value', 'never'];
  },
};

const big: BlockDefinition = testBlock({
  id: 'test.big',
  inputs: ['size'],
  required: ['size'],
  outputs: ['text'],
  compute: (i) => [['text', 'x'.repeat(i.size as number)]],
});

const cyclic: BlockDefinition = testBlock({
  id: 'test.cyclic',
  inputs: [],
  outputs: ['value'],
  compute: () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    return [['value', value]];
  },
});

function run(definition: AgentDefinition, options: Partial<MemoryRunOptions> = {}, extra: BlockDefinition[] = []) {
  return runGraphInMemory(definition, { blocks: testLookup([...extra, stuck, big, cyclic]), timers: fakeTimers(), ...options });
}

describe('runGraphInMemory failure paths', () => {
  it('fails the execution on an unhandled node error, naming the node', async () => {
    const definition = graph({ x: input('x'), f: { block: 'test.flaky', inputs: { message: 'the API said no' } }, after: 'test.pass', r: out('r') }, [
      'x.value -> f.value',
      'f.value -> after.value',
      'after.value -> r.value',
    ]);
    const result = await run(definition, { inputs: { x: 1 } });
    expect(result).toMatchObject({
      status: 'FAILED',
      outputs: { r: [] },
      error: { code: 'NODE_FAILED', message: 'Block test.flaky failed: the API said no', node_id: 'f' },
    });
    expect(result.node_executions.find((n) => n.node_id === 'f')).toMatchObject({
      status: 'FAILED',
      error: { code: 'NODE_FAILED', message: 'Block test.flaky failed: the API said no' },
    });
    expect(result.node_executions.some((n) => n.node_id === 'after')).toBe(false);
  });

  it('routes a handled node error along the error link and completes', async () => {
    const definition = graph({ x: input('x'), f: { block: 'test.flaky', inputs: { message: 'nope' } }, r: out('r'), e: out('e') }, [
      'x.value -> f.value',
      'f.value -> r.value',
      'f.error.message -> e.value',
    ]);
    const result = await run(definition, { inputs: { x: 1 } });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { r: [], e: ['Block test.flaky failed: nope'] }, error: null });
  });

  it('retries with backoff, then succeeds, recording every attempt', async () => {
    const timers = fakeTimers([100, 200]);
    const definition = graph(
      { x: input('x'), f: { block: 'test.flaky', inputs: { fail_until: 2 }, retry: { attempts: 3, backoff: 'exponential', delay: 100 } }, r: out('r') },
      ['x.value -> f.value', 'f.value -> r.value'],
    );
    const result = await run(definition, { inputs: { x: 'ok' }, timers });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { r: ['ok'] } });
    expect(timers.sleeps).toEqual([100, 200]);
    const f = result.node_executions.find((n) => n.node_id === 'f')!;
    expect(f.attempts.map((a) => [a.attempt, a.error?.message ?? null])).toEqual([
      [1, 'Block test.flaky failed: failed on attempt 1'],
      [2, 'Block test.flaky failed: failed on attempt 2'],
      [3, null],
    ]);
  });

  it('fails with the last error once retries are exhausted', async () => {
    const timers = fakeTimers([50]);
    const definition = graph({ x: input('x'), f: { block: 'test.flaky', retry: { attempts: 2, backoff: 'fixed', delay: 50 } } }, ['x.value -> f.value']);
    const result = await run(definition, { inputs: { x: 1 }, timers });
    expect(result.error).toEqual({ code: 'NODE_FAILED', message: 'Block test.flaky failed: failed on attempt 2', node_id: 'f' });
    expect(result.node_executions.find((n) => n.node_id === 'f')!.attempts).toHaveLength(2);
  });

  it('times out an attempt that honours its signal (NODE_TIMEOUT), and retries it', async () => {
    const { seen, block } = waiter();
    const timers = fakeTimers([30, 10]);
    const definition = graph({ x: input('x'), w: { block: 'test.wait', timeout: 30, retry: { attempts: 2, backoff: 'fixed', delay: 10 } } }, [
      'x.value -> w.value',
    ]);
    const result = await run(definition, { inputs: { x: 1 }, timers }, [block]);
    expect(result.error).toMatchObject({
      code: 'NODE_TIMEOUT',
      node_id: 'w',
      message: 'Node "w" (test.wait) ran longer than its timeout of 30ms and was stopped. Raise the node\'s `timeout` if it needs more time.',
    });
    expect(seen.started).toBe(2);
    // Each attempt's block saw its signal abort (run-block wraps the reason as its own CANCELLED).
    expect(seen.aborted).toHaveLength(2);
  });

  it('times out a block that ignores its signal, with the default node timeout', async () => {
    const definition = graph({ x: input('x'), s: 'test.stuck', e: out('e') }, ['x.value -> s.value', 's.error.code -> e.value']);
    const result = await run(definition, { inputs: { x: 1 }, timers: fakeTimers([300_000]) });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { e: ['NODE_TIMEOUT'] } });
  });

  it('fails the execution when it runs past its timeout, aborting running blocks', async () => {
    const { seen, block } = waiter();
    const definition = graph({ x: input('x'), w: 'test.wait', e: out('e') }, ['x.value -> w.value', 'w.error -> e.value'], { timeout: 1234 });
    const timers = fakeTimers();
    const onEvent: MemoryRunOptions['onEvent'] = (e) => {
      if (e.type === 'node' && e.node_execution.node_id === 'w' && e.node_execution.status === 'RUNNING') setImmediate(() => timers.fire(1234));
    };
    const result = await run(definition, { inputs: { x: 1 }, timers, onEvent }, [block]);
    expect(result).toMatchObject({ status: 'FAILED', outputs: { e: [] }, error: { code: 'EXECUTION_TIMEOUT', node_id: null } });
    expect(result.error!.message).toMatch(/timeout of 1234ms/);
    expect(seen.aborted.map((r) => (r as AppError).code)).toEqual(['CANCELLED']);
    expect(result.node_executions.find((n) => n.node_id === 'w')!.status).toBe('CANCELLED');
  });

  it('never starts a block whose run was stopped before it began', async () => {
    const { seen, block } = waiter();
    const definition = graph({ x: input('x'), w: 'test.wait' }, ['x.value -> w.value'], { timeout: 1234 });
    const result = await run(definition, { inputs: { x: 1 }, timers: fakeTimers([1234]) }, [block]);
    expect(result.error).toMatchObject({ code: 'EXECUTION_TIMEOUT' });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen.started).toBe(0);
  });

  it('stops a loop at the node-execution cap (NODE_LIMIT, not routable)', async () => {
    const definition = graph({ x: input('x'), a: 'test.pass', e: out('e') }, ['x.value -> a.value', 'a.value -> a.value', 'a.error -> e.value']);
    const result = await run(definition, { inputs: { x: 1 }, maxNodeExecutions: 40 });
    expect(result).toMatchObject({ status: 'FAILED', outputs: { e: [] }, error: { code: 'NODE_LIMIT', node_id: 'a' } });
    expect(result.node_executions.filter((n) => n.node_id === 'a' && n.status === 'COMPLETED')).toHaveLength(40);
  });

  it('cancels mid-run: running blocks get the abort, nothing new starts', async () => {
    const { seen, block } = waiter();
    const controller = new AbortController();
    const definition = graph({ x: input('x'), w: 'test.wait', p: 'test.pass', r: out('r') }, [
      'x.value -> w.value',
      'w.value -> p.value',
      'p.value -> r.value',
    ]);
    const result = await run(
      definition,
      {
        inputs: { x: 1 },
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'node' && e.node_execution.node_id === 'w' && e.node_execution.status === 'RUNNING') setImmediate(() => controller.abort());
        },
      },
      [block],
    );
    expect(result).toMatchObject({ status: 'CANCELLED', error: { code: 'CANCELLED', node_id: null }, outputs: { r: [] } });
    expect(seen.aborted.map((r) => (r as AppError).code)).toEqual(['CANCELLED']);
    expect(result.node_executions.map((n) => [n.node_id, n.status])).toEqual([
      ['x', 'COMPLETED'],
      ['w', 'CANCELLED'],
    ]);
  });

  it('starts nothing once cancelled, even when cancelled from inside an event callback', async () => {
    const { seen, block } = waiter();
    const controller = new AbortController();
    const definition = graph({ x: input('x'), w: 'test.wait' }, ['x.value -> w.value']);
    const onEvent: MemoryRunOptions['onEvent'] = (e) => {
      if (e.type === 'node' && e.node_execution.node_id === 'w' && e.node_execution.status === 'RUNNING') controller.abort();
    };
    const result = await run(definition, { inputs: { x: 1 }, signal: controller.signal, onEvent }, [block]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(result.status).toBe('CANCELLED');
    expect(seen.started).toBe(0);
  });

  it('cancels at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await run(graph({ c: 'test.const', r: out('r') }, ['c.now -> r.value']), { signal: controller.signal });
    expect(result).toMatchObject({ status: 'CANCELLED', node_executions: [] });
  });

  it('fails an agent.run whose child fails with CHILD_FAILED, routable by the error pin', async () => {
    const definition = graph({ sub: { block: 'agent.run', inputs: { agent: 'child' } }, e: out('e') }, ['sub.error -> e.value']);
    const result = await run(definition, {
      runChild: async () => ({ status: 'FAILED', outputs: {}, error: { code: 'NODE_FAILED', message: 'inner boom', node_id: 'x' } }),
    });
    expect(result.outputs.e).toEqual([{ code: 'CHILD_FAILED', message: 'Agent "child" (run by node "sub") failed: NODE_FAILED: inner boom' }]);
  });

  it('fails the execution with CHILD_FAILED when the child failure is not handled', async () => {
    const definition = graph({ sub: { block: 'agent.run', inputs: { agent: 'child' } } });
    const result = await run(definition, { runChild: async () => ({ status: 'CANCELLED', outputs: {}, error: null }) });
    expect(result.error).toEqual({ code: 'CHILD_FAILED', message: 'Agent "child" (run by node "sub") was cancelled', node_id: 'sub' });
  });

  it('refuses agent.run past the depth limit (DEPTH_LIMIT, not routable)', async () => {
    let called = false;
    const definition = graph({ sub: { block: 'agent.run', inputs: { agent: 'child' } }, e: out('e') }, ['sub.error -> e.value']);
    const result = await run(definition, { depth: 8, runChild: async () => ((called = true), { status: 'COMPLETED', outputs: {}, error: null }) });
    expect(result.error).toMatchObject({
      code: 'DEPTH_LIMIT',
      node_id: 'sub',
      message: expect.stringMatching(/at depth 9, deeper than executor.max_depth \(8\)/),
    });
    expect(called).toBe(false);
  });

  it('stops the child when the parent is cancelled', async () => {
    const controller = new AbortController();
    let childSignal: AbortSignal | undefined;
    const definition = graph({ sub: { block: 'agent.run', inputs: { agent: 'child' } } });
    const result = await run(definition, {
      signal: controller.signal,
      runChild: (request) => {
        childSignal = request.signal;
        setImmediate(() => controller.abort());
        return new Promise((resolve) => request.signal.addEventListener('abort', () => resolve({ status: 'CANCELLED', outputs: {}, error: null })));
      },
    });
    expect(result.status).toBe('CANCELLED');
    expect(childSignal?.aborted).toBe(true);
  });

  it('explains an agent.run that cannot start children', async () => {
    const result = await run(graph({ sub: { block: 'agent.run', inputs: { agent: 'child' } } }));
    expect(result.error).toEqual({
      code: 'NODE_FAILED',
      message: 'Node "sub" runs agent "child", but this run cannot start child executions. Mock the node in the agent test, or run it on a server.',
      node_id: 'sub',
    });
  });

  it('fails a node whose yield is larger than max_value_bytes (VALUE_TOO_LARGE, routable)', async () => {
    const definition = graph({ b: { block: 'test.big', inputs: { size: 200 } }, r: out('r'), e: out('e') }, ['b.text -> r.value', 'b.error.code -> e.value']);
    const result = await run(definition, { maxValueBytes: 100 });
    expect(result).toMatchObject({ status: 'COMPLETED', outputs: { r: [], e: ['VALUE_TOO_LARGE'] } });
    expect(result.node_executions.find((n) => n.node_id === 'b')!.error!.message).toBe(
      'Node "b" yielded 202 bytes on pin "text", more than executor.max_value_bytes (100 bytes). Yield a smaller value (pick the keys you need), or raise the limit in config.',
    );
  });

  it('exempts trigger payloads from the value-size limit', async () => {
    const definition = graph({ t: 'test.trigger', r: out('r') }, ['t.body -> r.value']);
    const result = await run(definition, { maxValueBytes: 10, trigger: { node: 't', outputs: { body: 'y'.repeat(1000) } } });
    expect(result.outputs.r).toEqual(['y'.repeat(1000)]);
  });

  it('fails a node that yields a value JSON cannot hold', async () => {
    const result = await run(graph({ c: 'test.cyclic' }));
    expect(result.error).toMatchObject({
      code: 'NODE_FAILED',
      node_id: 'c',
      message: expect.stringMatching(/^Node "c" yielded a value on pin "value" that cannot be stored as JSON/),
    });
  });

  it('fails with MISSING_INPUT listing every missing required input', async () => {
    const definition = graph({ a: input('a'), b: input('b'), r: out('r') }, ['a.value -> r.value', 'b.value -> r.value']);
    const result = await run(definition, { inputs: {} });
    expect(result).toMatchObject({
      status: 'FAILED',
      error: {
        code: 'MISSING_INPUT',
        node_id: null,
        message: 'The execution needs a value for the required inputs "a", "b": pass them as inputs (no default is set).',
      },
    });
  });

  it('fails the execution when a credential cannot be resolved (not routable)', async () => {
    const definition = graph({ x: input('x'), p: { block: 'test.pass', credentials: { llm: 'missing-key' } }, e: out('e') }, [
      'x.value -> p.value',
      'p.error -> e.value',
    ]);
    const result = await run(definition, {
      inputs: { x: 1 },
      resolveCredentials: (_node, fields) => {
        throw new AppError('CREDENTIAL_UNRESOLVED', `Credential "${fields.llm}" is not defined.`);
      },
    });
    expect(result).toMatchObject({ status: 'FAILED', outputs: { e: [] }, error: { code: 'CREDENTIAL_UNRESOLVED', node_id: 'p' } });
  });

  it('refuses outbound HTTP by default, saying what to do', async () => {
    const fetcher: BlockDefinition = {
      ...testBlock({ id: 'test.fetch', inputs: [], outputs: ['status'] }),
      async *run(_inputs, context) {
        const response = await context.http.fetch('https://example.com/');
        yield ['status', response.status];
      },
    };
    const result = await run(graph({ f: 'test.fetch' }), {}, [fetcher]);
    expect(result.error).toMatchObject({
      code: 'NODE_FAILED',
      message:
        'Block test.fetch failed: This run has no network: a request to https://example.com/ was refused. Mock the node in the agent test, or run it with `trellis run`.',
    });
  });

  it('fails a delay node with a duration that is not one', async () => {
    const result = await run(graph({ d: { block: 'test.delay', inputs: { duration: 'soon' } } }));
    expect(result.error).toMatchObject({
      code: 'NODE_FAILED',
      node_id: 'd',
      message: 'Node "d" got duration "soon", which is not a duration: use a number of milliseconds or text like 500ms, 30s, 10m, 2h.',
    });
  });
});
