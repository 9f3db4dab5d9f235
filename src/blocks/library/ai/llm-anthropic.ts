// Anthropic Messages through the official `@anthropic-ai/sdk`. JSON answers are asked for as a forced
// tool call whose input schema is the wanted schema: the SDK's documented way to get structured output.
import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlock, MessageCreateParamsNonStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { malformedAnswer, refusedAnswer, type LlmTarget } from './llm.errors.js';
import type { Correction, LlmAnswer, LlmCall, LlmProviderClient, LlmSettings } from './llm-provider.js';

const ANSWER_TOOL = 'answer';

/** The SDK's client for one node's settings (llm.* and ai.agent). */
export function anthropicSdk(settings: Pick<LlmSettings, 'apiKey' | 'baseUrl' | 'maxRetries' | 'fetch'>): Anthropic {
  return new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    maxRetries: settings.maxRetries,
    timeout: 10 * 60_000,
    logLevel: 'off',
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });
}

export function anthropicClient(settings: LlmSettings): LlmProviderClient {
  const client = anthropicSdk(settings);
  const target: LlmTarget = { provider: 'anthropic', model: settings.model, baseUrl: settings.baseUrl, retries: settings.maxRetries };
  return {
    async complete(call: LlmCall, corrections: Correction[]): Promise<LlmAnswer> {
      const messages: MessageParam[] = call.messages.map((m) => ({ role: m.role, content: m.content }));
      for (const { answer, feedback } of corrections) {
        const content = answer.turn as ContentBlock[];
        const toolUse = content.find((block) => block.type === 'tool_use');
        messages.push({ role: 'assistant', content: content as unknown as MessageParam['content'] });
        messages.push({
          role: 'user',
          content: toolUse ? [{ type: 'tool_result', tool_use_id: toolUse.id, content: feedback, is_error: true }] : feedback,
        });
      }
      const params: MessageCreateParamsNonStreaming = {
        model: settings.model,
        max_tokens: settings.maxTokens,
        messages,
        ...(call.system ? { system: call.system } : {}),
        ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        ...(call.jsonSchema
          ? {
              tools: [
                { name: ANSWER_TOOL, description: 'Give your answer as JSON that fits the input schema.', input_schema: call.jsonSchema as { type: 'object' } },
              ],
              tool_choice: { type: 'tool', name: ANSWER_TOOL },
            }
          : {}),
      };
      const message = await client.messages.create(params, { signal: settings.signal });
      if (!message || !Array.isArray(message.content)) throw malformedAnswer(target, 'no content list');
      if (message.stop_reason === 'refusal') throw refusedAnswer(target, textOf(message.content) || 'no reason given');
      const toolUse = message.content.find(
        (block): block is Extract<ContentBlock, { type: 'tool_use' }> => block.type === 'tool_use' && block.name === ANSWER_TOOL,
      );
      const text = textOf(message.content);
      if (call.jsonSchema === undefined && !message.content.some((block) => block.type === 'text')) {
        throw malformedAnswer(target, 'no text block in content');
      }
      return {
        text: toolUse ? JSON.stringify(toolUse.input) : text,
        ...(toolUse ? { json: toolUse.input } : {}),
        usage: { input_tokens: message.usage?.input_tokens ?? 0, output_tokens: message.usage?.output_tokens ?? 0 },
        turn: message.content,
      };
    },
  };
}

function textOf(content: ContentBlock[]): string {
  return content
    .filter((block): block is Extract<ContentBlock, { type: 'text' }> => block.type === 'text')
    .map((block) => block.text)
    .join('');
}
