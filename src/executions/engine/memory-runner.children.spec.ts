// The in-memory runner's agent.run: a failed or cancelled child, the depth limit, stopping the child with its
// parent, and a run that cannot start children.
import { describe, expect, it } from '@jest/globals';
import { graph } from './engine.fixtures.js';
import { out, run } from './memory-runner.fixtures.js';

describe('runGraphInMemory failure paths', () => {
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
});
