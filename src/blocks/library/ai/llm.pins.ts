// The pins, credential and cost the three LLM blocks share (spec/blocks.md: llm.chat, and "as llm.chat").
import type { CredentialFieldSpec } from '../../block.types.js';
import { defineBlock, optional, Type, withDefault, type InputsOf } from '../../pins.js';
import { modelCost } from './llm-cost.js';

export const PROVIDERS = ['openai', 'anthropic', 'openai_compatible'] as const;
export type LlmProviderName = (typeof PROVIDERS)[number];

export const LLM_INPUTS = {
  provider: withDefault(
    Type.Enum([...PROVIDERS], { description: 'openai, anthropic, or openai_compatible (Ollama, vLLM, LM Studio... with base_url).' }),
    'openai',
  ),
  base_url: optional(
    Type.String({
      description:
        "The API base URL, e.g. http://ollama.internal:11434/v1. Defaults to integrations.<provider>.base_url in config, then the provider's own. " +
        'A base_url given here is subject to http.allow_private_addresses; one from config is not.',
    }),
  ),
  model: Type.String({ minLength: 1, description: 'The model name, e.g. gpt-4.1-mini or claude-sonnet-4-6.' }),
  system: optional(Type.String({ description: 'The system prompt.' })),
  prompt: optional(Type.String({ description: 'Appended to messages as the last user message.' })),
  messages: optional(
    Type.Array(Type.Object({ role: Type.Enum(['system', 'user', 'assistant']), content: Type.String() }), {
      description: 'The conversation so far: [{role: user|assistant|system, content}].',
    }),
  ),
  temperature: optional(Type.Number({ minimum: 0, maximum: 2, description: "Sampling temperature (the provider's default when unset)." })),
  max_tokens: withDefault(Type.Integer({ minimum: 1, description: 'The most tokens the answer may use.' }), 1024),
};

export type LlmInputs = InputsOf<typeof LLM_INPUTS>;

export const USAGE_OUTPUT = Type.Object(
  { input_tokens: Type.Integer({ minimum: 0 }), output_tokens: Type.Integer({ minimum: 0 }) },
  { description: 'Tokens used, summed over every request the block made.' },
);

export const LLM_CREDENTIALS: Record<string, CredentialFieldSpec> = {
  llm: {
    provider: 'openai',
    providers: [...PROVIDERS],
    types: ['api_key'],
    // Optional here because the system default depends on the provider (OPENAI_API_KEY for openai,
    // ANTHROPIC_API_KEY for anthropic, none for openai_compatible): the block applies it, so an OpenAI
    // key is never sent to another provider's server.
    optional: true,
    description: 'The API key. Without one: OPENAI_API_KEY for openai, ANTHROPIC_API_KEY for anthropic; openai_compatible servers get none.',
  },
};

/** The parts of defineBlock's spec every LLM block shares. */
export const LLM_BLOCK_BASE = {
  category: 'ai',
  credentials: LLM_CREDENTIALS,
  cost: (inputs: { model?: unknown }, costs: { models: Record<string, number>; default_model_cost: number }) => modelCost(inputs, costs),
  // No outside state changes; a re-run does make (and pay for) a new request.
  sideEffects: false,
} as const satisfies Partial<Parameters<typeof defineBlock>[0]>;
