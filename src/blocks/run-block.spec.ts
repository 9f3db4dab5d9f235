import { describe, expect, it } from '@jest/globals';
import { runError, testContext } from '../../test/blocks/context.js';
import { AppError } from '../common/errors.js';
import type { BlockHttpClient } from './block.types.js';
import { defineBlock, dynamicPin, optional, Type, withDefault } from './pins.js';
import { runBlock } from './run-block.js';

const echo = defineBlock({
  id: 'test.echo',
  description: 'Yields its text twice, then its count',
  category: 'text',
  inputs: { text: Type.String(), count: withDefault(Type.Integer({ minimum: 0 }), 2), pin: optional(Type.String()) },
  outputs: { text: Type.String(), count: Type.Integer() },
  dynamicOutputs: (constants) => (constants.pin ? [constants.pin] : []),
  cost: 0,
  async *run(inputs) {
    yield ['text', inputs.text] as const;
    yield ['text', inputs.text.toUpperCase()] as const;
    yield ['count', inputs.count] as const;
    if (inputs.pin) yield [dynamicPin(inputs.pin), 'dynamic'] as const;
  },
});

/** A block that never finishes and ignores its signal; `cleaned` says whether its finally ran. */
function stuckBlock() {
  const state = { cleaned: false };
  const block = defineBlock({
    id: 'test.stuck',
    description: 'Never finishes',
    category: 'data',
    inputs: {},
    outputs: { value: Type.String() },
    cost: 0,
    async *run() {
      try {
        yield ['value', 'first'] as const;
        await new Promise(() => undefined);
      } finally {
        state.cleaned = true;
      }
    },
  });
  return { block, state };
}

function misbehaving(yields: Array<readonly [string, unknown]>) {
  return defineBlock({
    id: 'test.bad',
    description: 'Yields what it is told',
    category: 'data',
    inputs: {},
    outputs: { value: Type.String() },
    cost: 0,
    async *run() {
      for (const pair of yields) yield pair as readonly ['value', string];
    },
  });
}

describe('runBlock', () => {
  it('applies defaults, runs the block and collects every yield in order', async () => {
    const result = await runBlock(echo, { text: 'hi' }, testContext());
    expect(result.inputs).toEqual({ text: 'hi', count: 2 });
    expect(result.outputs).toEqual([
      ['text', 'hi'],
      ['text', 'HI'],
      ['count', 2],
    ]);
  });

  it("does not change the caller's inputs object", async () => {
    const inputs = { text: 'hi' };
    await runBlock(echo, inputs, testContext());
    expect(inputs).toEqual({ text: 'hi' });
  });

  it('hands each yield to onYield as it comes, with a sequence number', async () => {
    const seen: unknown[] = [];
    await runBlock(echo, { text: 'a', count: 1 }, testContext(), { onYield: (pin, value, sequence) => void seen.push([sequence, pin, value]) });
    expect(seen).toEqual([
      [1, 'text', 'a'],
      [2, 'text', 'A'],
      [3, 'count', 1],
    ]);
  });

  it('accepts pins that exist because of the constants (dynamic outputs)', async () => {
    const result = await runBlock(echo, { text: 'a', pin: 'extra' }, testContext());
    expect(result.outputs.at(-1)).toEqual(['extra', 'dynamic']);
  });

  it('refuses bad inputs with INVALID_INPUT naming every pin', async () => {
    const error = await runError(echo, { text: 5, count: -1, colour: 'red' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.status).toBe(400);
    const problems = error.details.problems as Array<{ pin: string; message: string }>;
    expect(problems.map((p) => p.pin).sort()).toEqual(['colour', 'count', 'text']);
    expect(error.message).toContain('text: expected text, got the number 5');
    expect(error.message).toContain('count: must be >= 0, got the number -1');
    expect(error.message).toContain('"colour" is not an input of block test.echo');
  });

  it('refuses inputs that are not an object', async () => {
    const error = await runError(echo, [] as unknown as Record<string, unknown>);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('must be an object');
  });

  it('refuses yields on unknown pins, of the wrong type, or undefined (INVALID_OUTPUT)', async () => {
    expect((await runError(misbehaving([['nope', 'x']]), {})).message).toContain('"nope", which is not one of its outputs (value, error)');
    const wrongType = await runError(misbehaving([['value', 5]]), {});
    expect(wrongType.code).toBe('INVALID_OUTPUT');
    expect(wrongType.message).toContain('expected text, got the number 5');
    expect((await runError(misbehaving([['value', undefined]]), {})).message).toContain('yielded nothing (undefined)');
  });

  it('treats a yield on `error` as the block failing with that code', async () => {
    const error = await runError(misbehaving([['error', { code: 'UPSTREAM_DOWN', message: 'the service is down' }]]), {});
    expect(error).toMatchObject({ code: 'UPSTREAM_DOWN', message: 'the service is down', status: 422 });
    const malformed = await runError(misbehaving([['error', 'just text']]), {});
    expect(malformed.code).toBe('INVALID_OUTPUT');
  });

  it('keeps the code of AppErrors and wraps anything else as NODE_FAILED', async () => {
    const coded = defineBlock({
      id: 'test.coded',
      description: 'Throws',
      category: 'data',
      inputs: { plain: Type.Boolean() },
      outputs: {},
      cost: 0,
      async *run(inputs) {
        if (inputs.plain) throw new TypeError('x is not a function');
        throw new AppError('OUTBOUND_TIMEOUT', 'api.example.com took too long', { host: 'api.example.com' }, 400);
      },
    });
    expect(await runError(coded, { plain: false })).toMatchObject({
      code: 'OUTBOUND_TIMEOUT',
      status: 422,
      details: { host: 'api.example.com', block: 'test.coded' },
    });
    expect(await runError(coded, { plain: true })).toMatchObject({ code: 'NODE_FAILED', message: 'Block test.coded failed: x is not a function' });
  });

  it('stops at once when aborted, even a block that ignores its signal, and lets it clean up', async () => {
    const { block, state } = stuckBlock();
    const controller = new AbortController();
    const running = runBlock(block, {}, testContext({ signal: controller.signal }), {
      onYield: () => controller.abort(new Error('execution stopped')),
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('execution stopped') });
    await Promise.resolve();
    expect(state.cleaned).toBe(true);
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(echo, { text: 'x' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });

  it("fails with NODE_TIMEOUT past the time limit and aborts the block's signal", async () => {
    let seen: AbortSignal | undefined;
    const waiting = defineBlock({
      id: 'test.waiting',
      description: 'Waits for its signal',
      category: 'data',
      inputs: {},
      outputs: {},
      cost: 0,
      async *run(_inputs, context) {
        seen = context.signal;
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
      },
    });
    const error = await runError(waiting, {}, {}, { timeoutMs: 20 });
    expect(error).toMatchObject({ code: 'NODE_TIMEOUT', status: 504 });
    expect(error.message).toContain('20ms');
    expect(seen?.aborted).toBe(true);
  });

  it("binds the HTTP client to the attempt's own signal when asked", async () => {
    const bound: AbortSignal[] = [];
    const http: BlockHttpClient = { fetch: () => Promise.reject(new Error('unused')) };
    const usesHttp = defineBlock({
      id: 'test.http',
      description: 'Checks its client',
      category: 'http',
      inputs: {},
      outputs: { same: Type.Boolean() },
      cost: 0,
      async *run(_inputs, context) {
        yield ['same', context.http === http] as const;
      },
    });
    const result = await runBlock(usesHttp, {}, testContext(), { bindHttp: (signal) => (bound.push(signal), http) });
    expect(result.outputs).toEqual([['same', true]]);
    expect(bound).toHaveLength(1);
  });
});
