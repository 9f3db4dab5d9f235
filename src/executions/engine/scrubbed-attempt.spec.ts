import { describe, expect, it } from '@jest/globals';
import type { BlockContext, BlockDefinition } from '../../blocks/block.types.js';
import { BlockError } from '../../blocks/blocks.errors.js';
import { createLogger } from '../../common/logger.js';
import { attemptSecrets } from '../attempt-secrets.js';
import { callBlockRun } from './block-attempt.js';
import { fakeTimers, testBlock } from './engine.fixtures.js';
import { executeScrubbedAttempt } from './scrubbed-attempt.js';

const TOKEN = 'tok-0123456789-secret';
const lines: string[] = [];

const context: Omit<BlockContext, 'signal'> = {
  executionId: 'e1',
  nodeId: 'n',
  nodeExecutionId: 'r1',
  userId: 'u1',
  credentials: { auth: { name: 'team-token', provider: 'http', type: 'api_key', fields: { key: TOKEN } } },
  logger: createLogger('trace', { write: (line: string) => void lines.push(line) }),
  http: { fetch: () => Promise.reject(new Error('no network')) },
  settings: { allowPrivateAddresses: false, maxResponseBytes: 1024 },
  attempt: 1,
};

const blockOf = (run: BlockDefinition['run']): BlockDefinition => ({ ...testBlock({ id: 'test.block', inputs: [], outputs: ['a'] }), run });
const limits = { timeoutMs: 1000, maxValueBytes: 10_000, timers: fakeTimers([5]) };
const attempt = (run: BlockDefinition['run'], onYield?: (pin: string, value: unknown) => void) =>
  executeScrubbedAttempt(callBlockRun, attemptSecrets, { block: blockOf(run), inputs: {}, context }, limits, new AbortController(), onYield);

describe('executeScrubbedAttempt', () => {
  it('scrubs collected yields, nested too', async () => {
    const outcome = await attempt(async function* () {
      yield ['a', { echoed: `Bearer ${TOKEN}`, list: [Buffer.from(TOKEN).toString('base64')] }];
    });
    expect(outcome).toEqual({ ok: true, yields: [['a', { echoed: '[secret:team-token]', list: ['[secret:team-token]'] }]] });
  });

  it('scrubs streamed yields before they are handed on', async () => {
    const seen: unknown[] = [];
    await attempt(
      async function* () {
        yield ['a', `x ${encodeURIComponent(TOKEN)} y`];
      },
      (_pin, value) => void seen.push(value),
    );
    expect(seen).toEqual(['x [secret:team-token] y']);
  });

  it('scrubs a thrown error (message and details) and an error yielded on `error`', async () => {
    const thrown = await attempt(async function* () {
      throw new BlockError('HTTP_STATUS', `server said: ${TOKEN}`, { body: TOKEN });
    });
    expect(thrown).toEqual({
      ok: false,
      error: { code: 'HTTP_STATUS', message: 'server said: [secret:team-token]', details: { body: '[secret:team-token]' } },
    });
    expect(JSON.stringify(thrown)).not.toContain(TOKEN);
    const yielded = await attempt(async function* () {
      yield ['error', { code: 'X', message: `bad ${TOKEN}` }];
    });
    expect(JSON.stringify(yielded)).toContain('[secret:team-token]');
    expect(JSON.stringify(yielded)).not.toContain(TOKEN);
  });

  it("scrubs what the block logs through its context's logger (and its children), errors included", async () => {
    lines.length = 0;
    await attempt(async function* (_inputs, ctx) {
      ctx.logger.info({ answer: `got ${TOKEN}` }, `calling with ${TOKEN}`);
      ctx.logger.child({ token: TOKEN }).warn({ err: new Error(`failed: ${TOKEN}`) }, 'child line');
      yield ['a', 1];
    });
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(JSON.parse(lines[0]!)).toMatchObject({ answer: 'got [secret:team-token]', msg: 'calling with [secret:team-token]' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ err: { message: 'failed: [secret:team-token]' }, msg: 'child line' });
  });
});
