// What went wrong talking to an LLM provider, in words a person can act on. The translation of what the
// SDKs throw is in llm.sdk-errors.ts, loaded with the SDKs on a block's first call (not by the block library).
import { BlockError } from '../../blocks.errors.js';
import type { LlmProviderName } from './llm.pins.js';

export const LlmErrorCode = {
  AUTH_FAILED: 'LLM_AUTH_FAILED',
  FORBIDDEN: 'LLM_FORBIDDEN',
  NOT_FOUND: 'LLM_NOT_FOUND',
  RATE_LIMITED: 'LLM_RATE_LIMITED',
  BAD_REQUEST: 'LLM_BAD_REQUEST',
  UNAVAILABLE: 'LLM_UNAVAILABLE',
  TIMEOUT: 'LLM_TIMEOUT',
  UNREACHABLE: 'LLM_UNREACHABLE',
  MALFORMED_ANSWER: 'LLM_MALFORMED_ANSWER',
  REFUSED: 'LLM_REFUSED',
  INVALID_ANSWER: 'LLM_INVALID_ANSWER',
} as const;

export interface LlmTarget {
  provider: LlmProviderName;
  model: string;
  baseUrl: string;
  /** The credential's name (never its secret), for messages. */
  credentialName?: string;
  retries: number;
}

const LABELS: Record<LlmProviderName, string> = { openai: 'OpenAI', anthropic: 'Anthropic', openai_compatible: 'The OpenAI-compatible server' };

export function providerLabel(target: LlmTarget): string {
  return LABELS[target.provider];
}

export function malformedAnswer(target: LlmTarget, what: string): BlockError {
  return new BlockError(
    LlmErrorCode.MALFORMED_ANSWER,
    `${providerLabel(target)} answered in a shape we can't read (${what}). Check that ${target.baseUrl} speaks the ${target.provider === 'anthropic' ? 'Anthropic Messages' : 'OpenAI Chat Completions'} API.`,
    details(target),
  );
}

export function refusedAnswer(target: LlmTarget, refusal: string): BlockError {
  return new BlockError(
    LlmErrorCode.REFUSED,
    `The model ${target.model} refused to answer: ${refusal.slice(0, 300).replace(/[.\s]+$/, '')}. Rephrase the prompt.`,
    details(target),
  );
}

export function details(target: LlmTarget): Record<string, unknown> {
  return { provider: target.provider, model: target.model, base_url: target.baseUrl };
}
