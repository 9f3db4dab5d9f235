import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { BlockContext, BlockDefinition } from '../../blocks/block.types.js';
import { ATTEMPT_OVER, callBlockRun, checkValue, executeAttempt, type BlockAttemptFn } from './block-attempt.js';
import { fakeTimers, testBlock } from './engine.fixtures.js';
import { runValidatedBlock } from '../../blocks/validated-run.js';

const context: Omit<BlockContext, 'signal'> = {
  executionId: 'e1',
  nodeId: 'n',
  nodeExecutionId: 'r1',
  userId: 'u1',
  credentials: {},
  logger: pino({ level: 'silent' }),
  http: { fetch: () => Promise.reject(new Error('no network')) },
  settings: { allowPrivateAddresses: false, maxResponseBytes: 1024 },
  attempt: 1,
};

function blockOf(run: BlockDefinition['run'], extra: Partial<BlockDefinition> = {}): BlockDefinition {
  return { ...testBlock({ id: 'test.block', inputs: ['n'], outputs: ['a', 'b'] }), run, ...extra };
}

const limits = (timeoutMs = 1000, maxValueBytes = 1024) => ({ timeoutMs, maxValueBytes, timers: fakeTimers([5]) });
const attempt = (
  block: BlockDefinition,
  options: {
    controller?: AbortController;
    timeoutMs?: number;
    onYield?: (pin: string, value: unknown) => void;
    fn?: BlockAttemptFn;
    inputs?: Record<string, unknown>;
  } = {},
) =>
  executeAttempt(
    options.fn ?? callBlockRun,
    { block, inputs: options.inputs ?? {}, context },
    limits(options.timeoutMs),
    options.controller ?? new AbortController(),
    options.onYield,
  );

describe('executeAttempt', () => {
  it('collects yields in order, undefined as null, and ends the controller with ATTEMPT_OVER', async () => {
    const controller = new AbortController();
    const outcome = await attempt(
      blockOf(async function* () {
        yield ['a', 1];
        yield ['b', undefined];
        yield ['a', 2];
      }),
      { controller },
    );
    expect(outcome).toEqual({
      ok: true,
      yields: [
        ['a', 1],
        ['b', null],
        ['a', 2],
      ],
    });
    expect(controller.signal.reason).toBe(ATTEMPT_OVER);
  });

  it('hands yields to onYield at once instead of collecting them', async () => {
    const seen: unknown[] = [];
    const outcome = await attempt(
      blockOf(async function* () {
        yield ['a', 1];
        seen.push('between');
        yield ['a', 2];
      }),
      { onYield: (pin, value) => seen.push([pin, value]) },
    );
    expect(outcome).toEqual({ ok: true, yields: [] });
    expect(seen).toEqual([['a', 1], 'between', ['a', 2]]);
  });

  it('fails on a yield on the error pin', async () => {
    const outcome = await attempt(
      blockOf(async function* () {
        yield ['error', { code: 'NODE_FAILED', message: 'said no' }];
        yield ['a', 1];
      }),
    );
    expect(outcome).toEqual({ ok: false, error: { code: 'NODE_FAILED', message: 'said no' } });
  });

  it('fails a block that throws, even before its first yield, with its message', async () => {
    const outcome = await attempt(
      blockOf(() => {
        throw new Error('not even a generator');
      }),
    );
    expect(outcome).toEqual({ ok: false, error: { code: 'NODE_FAILED', message: 'not even a generator' } });
  });

  it('times out with NODE_TIMEOUT, even when the block ignores its signal', async () => {
    const outcome = await attempt(
      blockOf(async function* () {
        await new Promise(() => undefined);
        yield ['a', 1];
      }),
      { timeoutMs: 5 },
    );
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'NODE_TIMEOUT',
        message: 'Node "n" (test.block) ran longer than its timeout of 5ms and was stopped. Raise the node\'s `timeout` if it needs more time.',
      },
    });
  });

  it('stops with the reason the caller aborted with', async () => {
    const controller = new AbortController();
    const pending = attempt(
      blockOf(async function* () {
        await new Promise(() => undefined);
        yield ['a', 1];
      }),
      { controller },
    );
    controller.abort({ code: 'CANCELLED', message: 'stopped by the user' });
    expect(await pending).toEqual({ ok: false, error: { code: 'CANCELLED', message: 'stopped by the user' } });
  });

  it('never calls a block whose controller was aborted already', async () => {
    const controller = new AbortController();
    controller.abort({ code: 'CANCELLED', message: 'too late' });
    let called = false;
    const outcome = await attempt(
      blockOf(async function* () {
        called = true;
        yield ['a', 1];
      }),
      { controller },
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(called).toBe(false);
  });
});

describe('checkValue', () => {
  it('measures JSON bytes against the limit', () => {
    expect(checkValue('n', 'p', 'é'.repeat(10), 22)).toBeNull();
    expect(checkValue('n', 'p', 'é'.repeat(10), 21)).toMatchObject({
      code: 'VALUE_TOO_LARGE',
      message: expect.stringMatching(/yielded 22 bytes on pin "p", more than executor.max_value_bytes \(21 bytes\)/),
    });
    expect(checkValue('n', 'p', { list: [1, 2, 3] }, 10)).toMatchObject({ code: 'VALUE_TOO_LARGE' });
    expect(checkValue('n', 'p', 12345678901234, 4)).toBeNull();
    expect(checkValue('n', 'p', BigInt(1) as unknown, 100)).toMatchObject({ code: 'NODE_FAILED', message: expect.stringMatching(/cannot be stored as JSON/) });
  });
});

describe('runValidatedBlock', () => {
  const block: BlockDefinition = {
    ...blockOf(async function* (inputs) {
      yield ['a', inputs.n];
    }),
    inputSchema: { type: 'object', properties: { n: { type: 'number', default: 5 } } },
  };

  it('applies input defaults before the block runs', async () => {
    expect(await attempt(block, { fn: runValidatedBlock })).toEqual({ ok: true, yields: [['a', 5]] });
  });

  it('refuses inputs that do not fit the schema, naming the pin', async () => {
    const outcome = await attempt(block, { fn: runValidatedBlock, inputs: { n: 'five' } });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^Invalid input for block test.block: n: /) } });
  });
});
