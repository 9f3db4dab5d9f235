// One chat request to an LLM provider, behind one small interface the three LLM blocks share: the
// provider, base URL, API key and fetch are chosen here; the wire formats live in llm-openai.ts and
// llm-anthropic.ts; SDK errors become clear block errors in llm.errors.ts.
import type { BlockContext, JsonSchema, ResolvedCredential } from '../../block.types.js';
import { BlockError, BlockErrorCode, invalidPin } from '../../blocks.errors.js';
import { credentialFetch, operatorUrlClient } from '../../outbound/credential-attach.js';
import { credentialField, findCredential, requireCredential, type CredentialNeed } from '../../outbound/credentials.js';
import { resolveAllowed } from '../../outbound/host-resolver.js';
import type { LlmTarget } from './llm.errors.js';
import { llmSdks } from './llm-sdks.js';
import type { LlmInputs, LlmProviderName } from './llm.pins.js';

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmCall {
  system?: string;
  messages: LlmMessage[];
  /** Ask for a JSON object that fits this schema (its root is an object). */
  jsonSchema?: JsonSchema;
}

export interface LlmUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface LlmAnswer {
  text: string;
  /** The JSON the provider returned as such (Anthropic's tool input), when asked for JSON. */
  json?: unknown;
  usage: LlmUsage;
  /** The provider's own form of this answer, to send it back in a follow-up. */
  turn: unknown;
}

/** A previous answer and what was wrong with it, for a second try. */
export interface Correction {
  answer: LlmAnswer;
  feedback: string;
}

export interface LlmSettings {
  model: string;
  temperature?: number;
  maxTokens: number;
  baseUrl: string;
  apiKey: string;
  /** Used instead of global fetch when the base URL is subject to the private-address policy. */
  fetch?: typeof fetch;
  signal: AbortSignal;
  maxRetries: number;
}

export interface LlmProviderClient {
  complete(call: LlmCall, corrections: Correction[]): Promise<LlmAnswer>;
}

export interface LlmSession {
  target: LlmTarget;
  /** One request; every failure is a clear block error (or the run's abort). */
  complete(call: LlmCall, corrections?: Correction[]): Promise<LlmAnswer>;
}

const DEFAULT_BASE_URLS: Record<LlmProviderName, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  openai_compatible: undefined,
};
/** The provider whose system default (default:openai, default:anthropic) serves a node without a credential. */
const SYSTEM_DEFAULT: Record<LlmProviderName, string | undefined> = { openai: 'openai', anthropic: 'anthropic', openai_compatible: undefined };
/** The headers the SDKs put the key in: moved into a credential attachment, so hosts and redirects are checked. */
const KEY_HEADERS = ['authorization', 'x-api-key'];
/** The SDKs' own retries (with back-off, honouring retry-after) for 408, 409, 429 and 5xx. */
export const LLM_MAX_RETRIES = 2;

/** The settings of one LLM node (base URL, key, fetch) and a check of its base URL, shared by every LLM block. */
export interface PreparedLlm {
  settings: LlmSettings;
  target: LlmTarget;
  /** Refuses a forbidden base_url (once); call before each request. */
  guard(): Promise<unknown>;
}

export function prepareLlm(
  blockId: string,
  inputs: Pick<LlmInputs, 'provider' | 'base_url' | 'model' | 'temperature' | 'max_tokens'>,
  context: BlockContext,
): PreparedLlm {
  const provider = inputs.provider;
  const configured = provider === 'anthropic' ? context.settings.anthropicBaseUrl : context.settings.openaiBaseUrl;
  const fromPin = inputs.base_url?.trim() || undefined;
  const baseUrl = (fromPin ?? configured ?? DEFAULT_BASE_URLS[provider])?.replace(/\/+$/, '');
  if (!baseUrl) {
    throw invalidPin(
      blockId,
      'base_url',
      "openai_compatible needs the server's base URL, e.g. http://ollama.internal:11434/v1 (or set integrations.openai.base_url in config)",
    );
  }
  if (fromPin && !/^https?:\/\/[^/]/.test(fromPin)) throw invalidPin(blockId, 'base_url', `"${fromPin}" is not an http(s) URL`);
  // A node that sets its own base_url never receives a system default: the key would go to its server.
  const systemDefault = fromPin ? undefined : SYSTEM_DEFAULT[provider];
  const need = { blockId, field: 'llm', types: ['api_key'] as const, ...(systemDefault ? { systemDefault } : {}) };
  // openai_compatible servers (Ollama, vLLM) often take no key at all.
  const credential =
    provider === 'openai_compatible' ? findCredential(context, need) : fromPin ? ownKeyFor(blockId, context, need) : requireCredential(context, need);
  // A key stored for OpenAI must not be sent to Anthropic, nor the other way round.
  const otherVendor = (name: string) => name !== provider && (name === 'openai' || name === 'anthropic');
  if (credential && provider !== 'openai_compatible' && otherVendor(credential.provider)) {
    throw new BlockError(
      BlockErrorCode.CREDENTIAL_UNRESOLVED,
      `The credential "${credential.name}" mapped to "llm" is for ${credential.provider}, but this node asks ${provider}. Map a credential for ${provider}, or set provider: ${credential.provider}.`,
      { block: blockId, field: 'llm', credential: credential.name, provider: credential.provider },
    );
  }
  // Base URLs from config are the operator's choice and may be internal (a local Ollama): outside the
  // private-address policy. A base_url pin (or the provider's public default) goes through context.http,
  // which applies the policy, the size cap and the run's signal. Either way the key goes only to the
  // credential's hosts (credential-attach.ts).
  const viaPolicy = configured === undefined || fromPin !== undefined;
  const client = viaPolicy ? context.http : operatorUrlClient(context.signal);
  const settings: LlmSettings = {
    model: inputs.model,
    ...(inputs.temperature !== undefined ? { temperature: inputs.temperature } : {}),
    maxTokens: inputs.max_tokens,
    baseUrl,
    // Servers like Ollama take no key, but the SDK insists on one.
    apiKey: credential ? credentialField(credential, 'key', blockId) : 'no-key',
    fetch: credentialFetch(client, credential, KEY_HEADERS),
    signal: context.signal,
    maxRetries: LLM_MAX_RETRIES,
  };
  const target: LlmTarget = { provider, model: inputs.model, baseUrl, credentialName: credential?.name, retries: LLM_MAX_RETRIES };
  // The SDKs retry failed connections, so refuse a forbidden base_url up front, once, instead of three
  // times (every connection is still checked again by context.http).
  let precheck: Promise<unknown> | undefined;
  const guard = async (): Promise<unknown> => {
    if (!fromPin || context.settings.allowPrivateAddresses) return undefined;
    precheck ??= resolveAllowed(new URL(baseUrl).hostname, { allowPrivateAddresses: false });
    return precheck;
  };
  return { settings, target, guard };
}

export function openLlmSession(blockId: string, inputs: LlmInputs, context: BlockContext): LlmSession {
  const { settings, target, guard } = prepareLlm(blockId, inputs, context);
  const provider = inputs.provider;
  let sdk: LlmProviderClient | undefined;
  return {
    target,
    async complete(call, corrections = []) {
      const sdks = await llmSdks();
      try {
        await guard();
        sdk ??= provider === 'anthropic' ? sdks.anthropicClient(settings) : sdks.openAiClient(settings, provider);
        return await sdk.complete(call, corrections);
      } catch (error) {
        throw sdks.translateLlmError(error, target, context.signal);
      }
    },
  };
}

/** The node's own key for its own base_url (a system default never goes there). */
function ownKeyFor(blockId: string, context: BlockContext, need: CredentialNeed): ResolvedCredential {
  const credential = findCredential(context, need);
  if (credential) return credential;
  throw new BlockError(
    BlockErrorCode.CREDENTIAL_UNRESOLVED,
    `Block ${blockId} sets its own base_url, so it never receives a system default key: map a credential for that server (credentials: { llm: <credential name> }), or use provider: openai_compatible for a server that needs no key.`,
    { block: blockId, field: 'llm' },
  );
}

/** The conversation of the inputs: messages, then the prompt as the last user message; system turns are lifted out. */
export function conversation(blockId: string, inputs: LlmInputs, extraUserText?: string): { system?: string; messages: LlmMessage[] } {
  const systems = inputs.system ? [inputs.system] : [];
  const messages: LlmMessage[] = [];
  for (const message of inputs.messages ?? []) {
    if (message.role === 'system') systems.push(message.content);
    else messages.push({ role: message.role, content: message.content });
  }
  const last = [inputs.prompt, extraUserText].filter((s): s is string => typeof s === 'string' && s !== '').join('\n\n');
  if (last) messages.push({ role: 'user', content: last });
  if (!messages.length) throw invalidPin(blockId, 'prompt', 'give a prompt or messages with at least one user message');
  return { ...(systems.length ? { system: systems.join('\n\n') } : {}), messages };
}

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return { input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens };
}

/** What a block makes of an answer: the value it wants, or what to tell the model and the error if it misses twice. */
export type AnswerCheck<T> = { ok: true; value: T } | { ok: false; feedback: string; failure: (usage: LlmUsage) => BlockError };

/**
 * Asks; an answer `check` refuses goes back to the model with its feedback, once; a second refusal throws
 * its failure (with the usage of both calls). Answers the accepted value and the usage so far.
 */
export async function askWithOneCorrection<T>(
  session: LlmSession,
  call: LlmCall,
  check: (answer: LlmAnswer) => AnswerCheck<T>,
): Promise<{ value: T; usage: LlmUsage }> {
  const corrections: Correction[] = [];
  let usage: LlmUsage = { input_tokens: 0, output_tokens: 0 };
  for (let attempt = 1; ; attempt++) {
    const answer = await session.complete(call, corrections);
    usage = addUsage(usage, answer.usage);
    const checked = check(answer);
    if (checked.ok) return { value: checked.value, usage };
    if (attempt === 2) throw checked.failure(usage);
    corrections.push({ answer, feedback: checked.feedback });
  }
}
