// What the LLM SDKs threw, translated into errors a person can act on. Both SDKs throw APIError subclasses
// carrying the HTTP status; connection failures carry their cause (our outbound errors too). This file loads
// both SDKs, so it is loaded through llm-sdks.ts on a block's first call, not at library load.
import {
  APIConnectionError as AnthropicConnectionError,
  APIConnectionTimeoutError as AnthropicTimeoutError,
  APIError as AnthropicApiError,
} from '@anthropic-ai/sdk';
import { APIConnectionError as OpenAiConnectionError, APIConnectionTimeoutError as OpenAiTimeoutError, APIError as OpenAiApiError } from 'openai';
import { AppError, markTransient } from '../../../common/errors.js';
import { BlockError } from '../../blocks.errors.js';
import { details, LlmErrorCode, malformedAnswer, providerLabel, type LlmTarget } from './llm.errors.js';

/** The error to throw for whatever the SDK threw: the run's abort stays an abort; ours pass through. */
export function translateLlmError(error: unknown, target: LlmTarget, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof AppError) return error;
  const label = providerLabel(target);
  // Timeouts and lost connections are transient; answers are judged by their status (429, 5xx transient).
  if (error instanceof OpenAiTimeoutError || error instanceof AnthropicTimeoutError) {
    return markTransient(
      new BlockError(LlmErrorCode.TIMEOUT, `${label} did not answer in time (model ${target.model}). Try again, or ask for fewer max_tokens.`, details(target)),
    );
  }
  if (error instanceof OpenAiConnectionError || error instanceof AnthropicConnectionError) {
    const ours = findCause(error, (c): c is AppError => c instanceof AppError);
    if (ours) return ours;
    const cause = findCause(error, (c): c is Error => c instanceof Error && c !== error);
    return markTransient(
      new BlockError(
        LlmErrorCode.UNREACHABLE,
        `Could not reach ${label} at ${target.baseUrl}${cause ? ` (${cause.message})` : ''}. Check the base URL and that the server is up.`,
        details(target),
      ),
    );
  }
  if (error instanceof OpenAiApiError || error instanceof AnthropicApiError) {
    return fromStatus(error.status ?? 0, apiMessage(error), error.headers ?? undefined, target);
  }
  if (error instanceof SyntaxError) return malformedAnswer(target, `not JSON: ${error.message}`);
  return error;
}

function fromStatus(status: number, message: string | undefined, headers: Headers | undefined, target: LlmTarget): BlockError {
  const label = providerLabel(target);
  const said = message ? `: ${message}` : '';
  const keyName = target.credentialName ? `the credential "${target.credentialName}"` : 'the credential mapped to "llm"';
  const extra = { ...details(target), status };
  if (status === 401) {
    return new BlockError(
      LlmErrorCode.AUTH_FAILED,
      `${label} refused the API key (401${said}). Check ${keyName}: it may be wrong, revoked or for another provider.`,
      extra,
    );
  }
  if (status === 403) {
    return new BlockError(
      LlmErrorCode.FORBIDDEN,
      `${label} refused access (403${said}). The key in ${keyName} may lack access to model ${target.model}.`,
      extra,
    );
  }
  if (status === 404) {
    return new BlockError(
      LlmErrorCode.NOT_FOUND,
      `${label} answered 404${said}. Check the model name "${target.model}" and the base URL ${target.baseUrl}.`,
      extra,
    );
  }
  if (status === 429) {
    const retryAfter = headers?.get('retry-after') ?? undefined;
    return new BlockError(
      LlmErrorCode.RATE_LIMITED,
      `${label} rate-limited the request (429${said}) and still did after ${target.retries} retries` +
        `${retryAfter ? `; it asked to wait ${retryAfter} s` : ''}. Try again later, lower the agent's concurrency, or raise your account's limits.`,
      { ...extra, ...(retryAfter ? { retry_after: retryAfter } : {}) },
    );
  }
  if (status >= 500) {
    const overloaded = status === 529 ? ' (overloaded)' : '';
    return new BlockError(
      LlmErrorCode.UNAVAILABLE,
      `${label} had a server error${overloaded} (${status}${said}) and still did after ${target.retries} retries. Try again later; a node retry policy can do that for you.`,
      extra,
    );
  }
  return new BlockError(
    LlmErrorCode.BAD_REQUEST,
    `${label} refused the request (${status}${said}). Check the model "${target.model}", max_tokens, temperature and the messages.`,
    extra,
  );
}

function apiMessage(error: OpenAiApiError | AnthropicApiError): string | undefined {
  if (error instanceof AnthropicApiError && error.apiMessage) return error.apiMessage;
  const body = error.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const text = typeof body?.message === 'string' ? body.message : typeof body?.error?.message === 'string' ? body.error.message : undefined;
  return text?.slice(0, 500);
}

function findCause<T>(error: unknown, match: (cause: unknown) => cause is T): T | undefined {
  for (let cause: unknown = error, depth = 0; cause && depth < 6; depth++) {
    if (match(cause)) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
