// What llm-sdks.ts loads on first use: the adapters of both SDKs and their error translation.
export { anthropicAgentModel, openAiAgentModel } from './ai-agent.wire.js';
export { anthropicClient } from './llm-anthropic.js';
export { openAiClient } from './llm-openai.js';
export { translateLlmError } from './llm.sdk-errors.js';
