// Test helpers for blocks: a real BlockContext (silent logger, real AbortController) and a way to run a
// block through runBlock exactly as the API and the engine do.
import { pino } from 'pino';
import type { BlockContext, BlockDefinition, BlockYield } from '../../src/blocks/block.types.js';
import { runBlock, type RunBlockOptions } from '../../src/blocks/run-block.js';

export function testContext(overrides: Partial<BlockContext> = {}): BlockContext {
  return {
    executionId: 'exec-test',
    nodeId: 'node',
    nodeExecutionId: 'node-exec-test',
    userId: 'user-test',
    credentials: {},
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    http: {
      fetch: () => Promise.reject(new Error('this test gives the block no network')),
    },
    settings: { allowPrivateAddresses: false, maxResponseBytes: 10 * 1024 * 1024 },
    attempt: 1,
    ...overrides,
  };
}

/** Runs the block and answers its yields as `[pin, value]` pairs. */
export async function run(
  block: BlockDefinition,
  inputs: Record<string, unknown>,
  context: Partial<BlockContext> = {},
  options: RunBlockOptions = {},
): Promise<BlockYield[]> {
  const result = await runBlock(block, inputs, testContext(context), options);
  return result.outputs;
}

/** The yields as an object pin -> last value (for blocks that yield each pin once). */
export async function runToObject(
  block: BlockDefinition,
  inputs: Record<string, unknown>,
  context: Partial<BlockContext> = {},
): Promise<Record<string, unknown>> {
  return Object.fromEntries(await run(block, inputs, context));
}

/** The error a run fails with (fails the test if it succeeds). */
export async function runError(block: BlockDefinition, inputs: Record<string, unknown>, context: Partial<BlockContext> = {}, options: RunBlockOptions = {}) {
  try {
    const outputs = await run(block, inputs, context, options);
    throw new Error(`expected ${block.id} to fail, but it yielded ${JSON.stringify(outputs)}`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(`expected ${block.id} to fail`)) throw error;
    return error as { code: string; message: string; status: number; details: Record<string, unknown> };
  }
}
