// OpenAI Chat Completions through the official `openai` SDK; also any OpenAI-compatible server (Ollama,
// vLLM, LM Studio) by base URL.
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { malformedAnswer, refusedAnswer, type LlmTarget } from './llm.errors.js';
import type { LlmAnswer, LlmCall, LlmProviderClient, LlmSettings, Correction } from './llm-provider.js';
import type { LlmProviderName } from './llm.pins.js';

/** The SDK's client for one node's settings (llm.* and ai.agent). */
export function openAiSdk(settings: Pick<LlmSettings, 'apiKey' | 'baseUrl' | 'maxRetries' | 'fetch'>): OpenAI {
  return new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    // Never pick these up from the environment: the node's settings are the whole truth.
    organization: null,
    project: null,
    maxRetries: settings.maxRetries,
    timeout: 10 * 60_000,
    logLevel: 'off',
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });
}

export function openAiClient(settings: LlmSettings, provider: Exclude<LlmProviderName, 'anthropic'>): LlmProviderClient {
  const client = openAiSdk(settings);
  const target: LlmTarget = { provider, model: settings.model, baseUrl: settings.baseUrl, retries: settings.maxRetries };
  return {
    async complete(call: LlmCall, corrections: Correction[]): Promise<LlmAnswer> {
      const messages: ChatCompletionMessageParam[] = [];
      if (call.system) messages.push({ role: 'system', content: call.system });
      for (const message of call.messages) messages.push({ role: message.role, content: message.content });
      for (const { answer, feedback } of corrections) {
        messages.push({ role: 'assistant', content: answer.text }, { role: 'user', content: feedback });
      }
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: settings.model,
        messages,
        // OpenAI's newer models take only max_completion_tokens; compatible servers know max_tokens.
        ...(provider === 'openai' ? { max_completion_tokens: settings.maxTokens } : { max_tokens: settings.maxTokens }),
        ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        ...(call.jsonSchema ? { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: call.jsonSchema, strict: false } } } : {}),
      };
      const completion = await client.chat.completions.create(body, { signal: settings.signal });
      const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
      if (!choice?.message) throw malformedAnswer(target, 'no choices[0].message');
      const refusal = (choice.message as { refusal?: string | null }).refusal;
      if (refusal) throw refusedAnswer(target, refusal);
      const text = choice.message.content;
      if (typeof text !== 'string') throw malformedAnswer(target, 'choices[0].message.content is not text');
      const usage = completion.usage;
      return {
        text,
        usage: { input_tokens: usage?.prompt_tokens ?? 0, output_tokens: usage?.completion_tokens ?? 0 },
        turn: choice.message,
      };
    },
  };
}
