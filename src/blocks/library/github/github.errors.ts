// GitHub REST failures in words a person can act on: the status, GitHub's own message, and what to check
// (the token, the repository, the rate limit and when it resets).
import { AppError } from '../../../common/errors.js';
import { BlockError } from '../../blocks.errors.js';

export const GithubErrorCode = {
  AUTH_FAILED: 'GITHUB_AUTH_FAILED',
  FORBIDDEN: 'GITHUB_FORBIDDEN',
  NOT_FOUND: 'GITHUB_NOT_FOUND',
  RATE_LIMITED: 'GITHUB_RATE_LIMITED',
  INVALID_REQUEST: 'GITHUB_INVALID_REQUEST',
  UNAVAILABLE: 'GITHUB_UNAVAILABLE',
  UNREACHABLE: 'GITHUB_UNREACHABLE',
  UNEXPECTED_ANSWER: 'GITHUB_UNEXPECTED_ANSWER',
} as const;

/** What the failed call was about, for the message: "pull request acme/app#7". */
export interface GithubTarget {
  what: string;
  baseUrl: string;
  credentialName: string;
}

interface OctokitRequestError {
  name: string;
  status: number;
  message: string;
  response?: { headers: Record<string, string | number | undefined>; data?: unknown };
  cause?: unknown;
}

function isRequestError(error: unknown): error is OctokitRequestError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number';
}

/** The error to throw for whatever Octokit threw; the run's abort stays an abort. */
export function translateGithubError(error: unknown, target: GithubTarget, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof AppError) return error;
  if (!isRequestError(error)) return error;
  // Our own refusals (a credential's hosts) come back wrapped by Octokit: they stay what they are.
  if (error.cause instanceof AppError) return error.cause;
  const headers = error.response?.headers ?? {};
  const said = githubMessage(error);
  const base = { status: error.status, target: target.what };
  if (!error.response) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new BlockError(
      GithubErrorCode.UNREACHABLE,
      `Could not reach GitHub at ${target.baseUrl} (${cause}). Check integrations.github.base_url and the network.`,
      base,
    );
  }
  const remaining = headers['x-ratelimit-remaining'];
  if ((error.status === 403 || error.status === 429) && (String(remaining) === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(said))) {
    const reset = Number(headers['x-ratelimit-reset']);
    const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : undefined;
    const retryAfter = headers['retry-after'] !== undefined ? String(headers['retry-after']) : undefined;
    const when = resetAt ? `; it resets at ${resetAt}` : retryAfter ? `; GitHub asks to wait ${retryAfter} s` : '';
    return new BlockError(
      GithubErrorCode.RATE_LIMITED,
      `GitHub's API rate limit is used up (${error.status}: ${said})${when}. Wait for the reset (a node retry policy with a delay can), ` +
        `or use a token with a higher limit than "${target.credentialName}".`,
      {
        ...base,
        ...(headers['x-ratelimit-limit'] !== undefined ? { limit: Number(headers['x-ratelimit-limit']) } : {}),
        ...(resetAt ? { reset_at: resetAt } : {}),
        ...(retryAfter ? { retry_after: retryAfter } : {}),
      },
    );
  }
  switch (error.status) {
    case 401:
      return new BlockError(
        GithubErrorCode.AUTH_FAILED,
        `GitHub refused the token of "${target.credentialName}" (401: ${said}). It may be wrong, expired or revoked: store a new one.`,
        base,
      );
    case 403:
      return new BlockError(
        GithubErrorCode.FORBIDDEN,
        `GitHub refused access to ${target.what} (403: ${said}). The token of "${target.credentialName}" lacks a permission this needs (for example issues or pull requests: write).`,
        base,
      );
    case 404:
      return new BlockError(
        GithubErrorCode.NOT_FOUND,
        `GitHub has no ${target.what} (404: ${said}). Check the repository (owner/name), the number or path, and that the token of "${target.credentialName}" can see the repository (private ones answer 404 without access).`,
        base,
      );
    case 410:
    case 422:
      return new BlockError(GithubErrorCode.INVALID_REQUEST, `GitHub refused the request for ${target.what} (${error.status}: ${said}).`, base);
    default:
      if (error.status >= 500) {
        return new BlockError(
          GithubErrorCode.UNAVAILABLE,
          `GitHub had a server error (${error.status}: ${said}) for ${target.what}. Try again later; a node retry policy can.`,
          base,
        );
      }
      return new BlockError(GithubErrorCode.INVALID_REQUEST, `GitHub answered ${error.status} for ${target.what}: ${said}.`, base);
  }
}

/** GitHub's `message` (and each `errors[].message`/`code` of a 422). */
function githubMessage(error: OctokitRequestError): string {
  const data = error.response?.data as { message?: unknown; errors?: Array<{ message?: string; code?: string; field?: string }> } | undefined;
  const message = typeof data?.message === 'string' ? data.message : error.message;
  const details = Array.isArray(data?.errors) ? data.errors.map((e) => e.message ?? [e.field, e.code].filter(Boolean).join(' ')).filter(Boolean) : [];
  return (details.length ? `${message}: ${details.join('; ')}` : message).slice(0, 500);
}

/** GitHub answered, but not with what the block needs (a directory where a file was asked for...). */
export function unexpectedAnswer(what: string, expected: string): BlockError {
  return new BlockError(GithubErrorCode.UNEXPECTED_ANSWER, `GitHub's answer for ${what} is not what was expected: expected ${expected}.`, { target: what });
}
