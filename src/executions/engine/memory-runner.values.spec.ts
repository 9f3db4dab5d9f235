// The in-memory runner's checks of what goes in and out of a node: value size and JSON, required inputs,
// credentials, the network (none) and durations.
import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { graph, testBlock } from './engine.fixtures.js';
import type { BlockDefinition } from '../../blocks/block.types.js';
import { input, out, run } from './memory-runner.fixtures.js';

describe('runGraphInMemory failure paths', () => {
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
