// The in-memory runner when a node fails: the error pin, retries with backoff, node and execution timeouts, the
// node-execution cap, and cancellation. Child executions and value checks: memory-runner.children/.values.spec.ts.
import { describe, expect, it } from '@jest/globals';
import type { AppError } from '../../common/errors.js';
import { fakeTimers, graph, testBlock } from './engine.fixtures.js';
import type { MemoryRunOptions } from '../memory-run.js';
import type { BlockDefinition } from '../../blocks/block.types.js';
import { input, out, run } from './memory-runner.fixtures.js';

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
});
