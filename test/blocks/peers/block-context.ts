// A real BlockContext for tests of outside-world blocks: the real outbound HTTP client (policy and all),
// settings pointing at local peers, and the block run through runBlock (inputs and yields validated).
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { BlockContext, BlockDefinition, BlockRuntimeSettings, ResolvedCredential } from '../../../src/blocks/block.types.js';
import type { HostResolver } from '../../../src/blocks/outbound/host-resolver.js';
import { OutboundHttp } from '../../../src/blocks/outbound/outbound-http.js';
import { runBlock } from '../../../src/blocks/run-block.js';

export interface TestContextOptions {
  credentials?: Record<string, ResolvedCredential>;
  /** Provider -> the system default the resolver admitted (BlockContext.systemDefaults). */
  systemDefaults?: Record<string, ResolvedCredential>;
  settings?: Partial<BlockRuntimeSettings>;
  signal?: AbortSignal;
  resolve?: HostResolver;
}

export interface TestBlockHarness {
  context: BlockContext;
  /** Runs the block (inputs validated, defaults applied, yields checked) and answers its yields. */
  run(block: BlockDefinition, inputs: Record<string, unknown>): Promise<Array<readonly [string, unknown]>>;
  /** Like run, but answers the yields as pin -> last value. */
  outputs(block: BlockDefinition, inputs: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export function blockHarness(options: TestContextOptions = {}): TestBlockHarness {
  const settings: BlockRuntimeSettings = { allowPrivateAddresses: true, maxResponseBytes: 10 * 1024 * 1024, ...options.settings };
  const outbound = OutboundHttp.fromSettings(settings, options.resolve ? { resolve: options.resolve } : {});
  const signal = options.signal ?? new AbortController().signal;
  const context: BlockContext = {
    executionId: randomUUID(),
    nodeId: 'node',
    nodeExecutionId: randomUUID(),
    userId: 'user-1',
    credentials: options.credentials ?? {},
    ...(options.systemDefaults ? { systemDefaults: options.systemDefaults } : {}),
    signal,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    http: outbound.client(signal),
    settings,
    attempt: 1,
  };
  const run = async (block: BlockDefinition, inputs: Record<string, unknown>) =>
    (await runBlock(block, inputs, context, { bindHttp: (attemptSignal) => outbound.client(attemptSignal) })).outputs;
  return {
    context,
    run,
    async outputs(block, inputs) {
      return Object.fromEntries(await run(block, inputs));
    },
    close: () => outbound.close(),
  };
}

export function apiKey(key: string, provider = 'http', name = 'test-key'): ResolvedCredential {
  return { name, provider, type: 'api_key', fields: { key } };
}

/** Awaits a promise expected to reject, and answers the error (fails the test if it resolves). */
export async function rejection<T = Error & { code?: string; details?: Record<string, unknown> }>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a failure, but it succeeded');
}
