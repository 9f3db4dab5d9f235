// One model turn of ai.agent with tools, through the official SDKs' tool calling: OpenAI chat completions
// (`tools` / `tool_calls`, also OpenAI-compatible servers) and Anthropic messages (`tools` / `tool_use` /
// `tool_result`). The conversation is kept in a neutral, JSON-storable form (AgentMessage) so it can be
// checkpointed and sent to either provider; each side maps it to its own wire shape here.
import type { ContentBlockParam, MessageParam, Tool as AnthropicTool } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { anthropicSdk } from './llm-anthropic.js';
import { openAiSdk } from './llm-openai.js';
import type { LlmSettings, LlmUsage } from './llm-provider.js';
import { malformedAnswer, refusedAnswer, type LlmTarget } from './llm.errors.js';
import type { ToolSpec } from './ai-agent.tools.js';

export interface AgentToolCallText {
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them (JSON text; may be invalid). */
  arguments: string;
}

export interface AgentToolResultText {
  id: string;
  name: string;
  content: string;
  is_error: boolean;
}

export type AgentMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls: AgentToolCallText[]; usage?: LlmUsage; cost?: number }
  | { role: 'tool'; results: AgentToolResultText[] };

export interface AgentTurn {
  text: string;
  calls: AgentToolCallText[];
  usage: LlmUsage;
}

export interface AgentModel {
  turn(system: string | undefined, messages: AgentMessage[], tools: ToolSpec[], signal: AbortSignal): Promise<AgentTurn>;
}

export function openAiAgentModel(settings: LlmSettings, target: LlmTarget): AgentModel {
  const client = openAiSdk(settings);
  return {
    async turn(system, messages, tools, signal) {
      const wire: ChatCompletionMessageParam[] = system ? [{ role: 'system', content: system }] : [];
      for (const message of messages) {
        if (message.role === 'user') wire.push({ role: 'user', content: message.content });
        else if (message.role === 'assistant') {
          wire.push({
            role: 'assistant',
            content: message.content || null,
            ...(message.tool_calls.length
              ? { tool_calls: message.tool_calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
              : {}),
          });
        } else for (const result of message.results) wire.push({ role: 'tool', tool_call_id: result.id, content: result.content });
      }
      const wireTools: ChatCompletionTool[] = tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
      const completion = await client.chat.completions.create(
        {
          model: settings.model,
          messages: wire,
          ...(wireTools.length ? { tools: wireTools } : {}),
          ...(target.provider === 'openai' ? { max_completion_tokens: settings.maxTokens } : { max_tokens: settings.maxTokens }),
          ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        },
        { signal },
      );
      const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
      if (!choice?.message) throw malformedAnswer(target, 'no choices[0].message');
      const refusal = (choice.message as { refusal?: string | null }).refusal;
      if (refusal) throw refusedAnswer(target, refusal);
      const calls: AgentToolCallText[] = [];
      for (const call of choice.message.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        calls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments ?? '' });
      }
      const text = choice.message.content ?? '';
      if (typeof text !== 'string') throw malformedAnswer(target, 'choices[0].message.content is not text');
      const usage = completion.usage;
      return { text, calls, usage: { input_tokens: usage?.prompt_tokens ?? 0, output_tokens: usage?.completion_tokens ?? 0 } };
    },
  };
}

export function anthropicAgentModel(settings: LlmSettings, target: LlmTarget): AgentModel {
  const client = anthropicSdk(settings);
  return {
    async turn(system, messages, tools, signal) {
      const wire: MessageParam[] = [];
      for (const message of messages) {
        if (message.role === 'user') wire.push({ role: 'user', content: message.content });
        else if (message.role === 'assistant') {
          const content: ContentBlockParam[] = [];
          if (message.content) content.push({ type: 'text', text: message.content });
          for (const call of message.tool_calls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: inputOf(call.arguments) });
          wire.push({ role: 'assistant', content });
        } else {
          const content = message.results.map((r) => ({ type: 'tool_result' as const, tool_use_id: r.id, content: r.content, is_error: r.is_error }));
          wire.push({ role: 'user', content });
        }
      }
      const wireTools: AnthropicTool[] = tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.parameters as AnthropicTool['input_schema'],
      }));
      const answer = await client.messages.create(
        {
          model: settings.model,
          max_tokens: settings.maxTokens,
          messages: wire,
          ...(system ? { system } : {}),
          ...(wireTools.length ? { tools: wireTools } : {}),
          ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
        },
        { signal },
      );
      if (!answer || !Array.isArray(answer.content)) throw malformedAnswer(target, 'no content list');
      const text = answer.content
        .filter((b) => b.type === 'text')
        .map((b) => (b as { text: string }).text)
        .join('');
      if (answer.stop_reason === 'refusal') throw refusedAnswer(target, text || 'no reason given');
      const calls: AgentToolCallText[] = [];
      for (const block of answer.content) {
        if (block.type === 'tool_use') calls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
      }
      return { text, calls, usage: { input_tokens: answer.usage?.input_tokens ?? 0, output_tokens: answer.usage?.output_tokens ?? 0 } };
    },
  };
}

/** Anthropic wants the tool input back as an object; a call we could not parse goes back as {}. */
function inputOf(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
