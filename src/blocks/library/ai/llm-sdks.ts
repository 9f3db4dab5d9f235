// The two LLM SDKs (openai and @anthropic-ai/sdk: ~2.8 MB of source, ~480 modules) and what wraps them,
// loaded on an LLM block's first call instead of with the block library: a server that runs no LLM node
// never holds them in memory. Everything that touches an SDK value goes through llmSdks().
export type LlmSdks = typeof import('./llm-sdks.loaded.js');

let loading: Promise<LlmSdks> | undefined;

/** The SDK adapters, imported once per process. */
export function llmSdks(): Promise<LlmSdks> {
  return (loading ??= import('./llm-sdks.loaded.js'));
}
