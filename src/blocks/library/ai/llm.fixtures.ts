// What the LLM blocks' specs (llm.chat, llm.chat.providers, llm.classify, llm.structured) share: an OpenAI and an
// Anthropic peer, as live bindings set by `useLlmPeers`'s beforeAll, and `chat`, which runs llm.chat against them.
import { afterAll, beforeAll } from '@jest/globals';
import { apiKey, blockHarness, type TestContextOptions } from '../../../../test/blocks/peers/block-context.js';
import { startLlmPeer, type LlmPeer } from '../../../../test/blocks/peers/llm-peers.js';
import { llmChatBlock } from './llm.chat.js';

export let openai: LlmPeer;
export let anthropic: LlmPeer;

/**
 * Starts the peers before the tests (of the file, or of the describe it is called in) and closes them after. Files of
 * one bundle (test/bundles) may register their hooks side by side at the top level: the first start and the last
 * close count.
 */
let users = 0;
export function useLlmPeers(): void {
  beforeAll(async () => {
    if (users++ > 0) return;
    openai = await startLlmPeer('/v1/chat/completions');
    anthropic = await startLlmPeer('/v1/messages');
  });

  afterAll(async () => {
    if (--users > 0) return;
    await openai.close();
    await anthropic.close();
  });
}

export async function chat(inputs: Record<string, unknown>, options: TestContextOptions = {}) {
  const harness = blockHarness({
    credentials: { llm: apiKey('sk-test-123', 'openai', 'team-openai') },
    ...options,
    settings: { openaiBaseUrl: `${openai.url}/v1`, anthropicBaseUrl: anthropic.url, ...options.settings },
  });
  try {
    return await harness.outputs(llmChatBlock, { model: 'gpt-4.1-mini', prompt: 'Say hi', ...inputs });
  } finally {
    await harness.close();
  }
}
