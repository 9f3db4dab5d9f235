// The error codes blocks fail with, each described once with whether trying again may help (release-2.md
// section 2: "Each block lists its error codes, and which are transient, in GET /api/blocks"). A block
// declares its own with `errors: blockErrors(...)`; the registry adds COMMON_BLOCK_ERRORS to every block.
// A failure that carries an HTTP status (`details.status`) is judged by it: 408, 429 and 5xx are transient.
import type { BlockErrorSpec } from './block.types.js';

const CATALOG: Record<string, readonly [description: string, transient: boolean]> = {
  // Any block (added by the registry).
  INVALID_INPUT: ['An input is missing, of the wrong type, or not meaningful.', false],
  INVALID_OUTPUT: ['The block yielded a value its output schema refuses (a bug in the block).', false],
  NODE_TIMEOUT: ["The attempt ran past the node's time limit.", true],
  CANCELLED: ['The run was stopped.', false],
  NODE_FAILED: ['The block failed for a reason that has no more precise code.', false],
  INSUFFICIENT_CREDITS: ["The user's credits do not cover the node's run, or a model call or tool run inside it.", false],
  // Running in an execution, inputs and credentials.
  CHILD_FAILED: ['The child execution of agent.run failed or was cancelled.', false],
  REVIEW_TIMEOUT: ['The review timed out with on_timeout: fail.', false],
  REVIEW_LIMIT: ['The agent has reviews.max_pending_per_agent pending reviews already.', false],
  EVENT_TIMEOUT: ['No event came before the timeout, with on_timeout: fail.', false],
  NEEDS_ENGINE: ['The block only runs inside an execution (it waits for a child, a review or an event).', false],
  MISSING_INPUT: ['A graph input with no default received no value.', false],
  CREDENTIAL_UNRESOLVED: ['A credential is missing, or its fields are not usable.', false],
  CREDENTIAL_HOSTS_REQUIRED: ['The credential has no hosts to send it to, and the block cannot know where it belongs.', false],
  CREDENTIAL_REFRESH_FAILED: ['The OAuth2 token was rejected and could not be refreshed.', false],
  INTEGRATION_UNAVAILABLE: ["The block's integration has no recorded version here, was removed, or no longer has the operation.", false],
  // User computation.
  TEMPLATE_ERROR: ['The template could not be parsed or rendered.', false],
  EXPRESSION_ERROR: ['The expression could not be parsed or evaluated.', false],
  PARSE_ERROR: ['The text is not valid JSON.', false],
  DIVISION_BY_ZERO: ['A division or remainder by zero.', false],
  CODE_ERROR: ['The code threw, or returned something that is not JSON.', false],
  CODE_TIMEOUT: ['The code ran past its time limit.', false],
  CODE_MEMORY_LIMIT: ['The code used more memory or stack than allowed.', false],
  SANDBOX_TIMEOUT: ['The expression or template ran past sandbox.timeout.', false],
  SANDBOX_MEMORY: ['The expression or template used more than sandbox.memory.', false],
  VALUE_TOO_LARGE: ['A result or a yielded value is larger than executor.max_value_bytes.', false],
  // Outbound HTTP (every block that calls a server).
  OUTBOUND_BAD_URL: ['The URL is not a full http:// or https:// URL.', false],
  OUTBOUND_ADDRESS_REFUSED: ['The URL leads to a private or refused address.', false],
  CREDENTIAL_HOST_REFUSED: ["The credential's hosts do not admit the URL.", false],
  OUTBOUND_REQUEST_FAILED: ['The server could not be reached (connection refused, reset, DNS).', true],
  OUTBOUND_TIMEOUT: ['The request took longer than its timeout.', true],
  OUTBOUND_RESPONSE_TOO_LARGE: ['The response is larger than http.max_response_bytes.', false],
  OUTBOUND_TOO_MANY_REDIRECTS: ['The server redirected too many times.', false],
  HTTP_STATUS: ['The server answered a status of 400 or more (details.status; 408, 429 and 5xx are transient).', false],
  WEBHOOK_STATUS: ['The webhook answered a status of 400 or more (details.status; 408, 429 and 5xx are transient).', false],
  // LLM providers.
  LLM_AUTH_FAILED: ['The provider refused the API key (401).', false],
  LLM_FORBIDDEN: ['The key may not use this model or API (403).', false],
  LLM_NOT_FOUND: ['The model or endpoint does not exist (404).', false],
  LLM_RATE_LIMITED: ['The provider is rate limiting the key (429).', true],
  LLM_BAD_REQUEST: ['The provider refused the request (another 4xx).', false],
  LLM_UNAVAILABLE: ['The provider had a server error or is overloaded (5xx).', true],
  LLM_TIMEOUT: ['The provider did not answer in time.', true],
  LLM_UNREACHABLE: ['The provider could not be reached.', true],
  LLM_MALFORMED_ANSWER: ["The provider's answer is not in the shape of its API.", false],
  LLM_REFUSED: ['The model refused to answer.', false],
  LLM_INVALID_ANSWER: ['The model answered, but not what was asked (not the schema, not a label).', false],
  AGENT_STEP_LIMIT: ['The agent reached max_steps or max_tool_calls.', false],
  // GitHub.
  GITHUB_AUTH_FAILED: ['GitHub refused the token (401).', false],
  GITHUB_FORBIDDEN: ['The token may not do this (403).', false],
  GITHUB_NOT_FOUND: ['The repository, issue or file does not exist, or the token cannot see it (404).', false],
  GITHUB_RATE_LIMITED: ["GitHub's rate limit was reached.", true],
  GITHUB_INVALID_REQUEST: ['GitHub refused the request (422 or another 4xx).', false],
  GITHUB_UNAVAILABLE: ['GitHub had a server error (5xx).', true],
  GITHUB_UNREACHABLE: ['GitHub could not be reached.', true],
  GITHUB_UNEXPECTED_ANSWER: ["GitHub's answer is not what was expected.", false],
  // Slack and email.
  SLACK_REJECTED: ['Slack refused the message (details.status and slack_error).', false],
  SLACK_RATE_LIMITED: ['Slack is rate limiting the webhook or token (429).', true],
  EMAIL_AUTH_FAILED: ['The SMTP server refused the user name or password.', false],
  EMAIL_REJECTED: ['The SMTP server refused a sender or recipient.', false],
  EMAIL_UNREACHABLE: ['The SMTP server could not be reached.', true],
  EMAIL_TLS_FAILED: ['The TLS handshake with the SMTP server failed.', false],
  EMAIL_FAILED: ['Sending failed for another reason the server gave.', false],
};

/** The catalogue's entries for these codes, in this order; an unknown code is a bug in the block. */
export function blockErrors(...codes: string[]): BlockErrorSpec[] {
  return codes.map((code) => {
    const entry = CATALOG[code];
    if (!entry) throw new Error(`block error code ${code} is not in block-errors.catalog.ts: describe it there`);
    return { code, description: entry[0], transient: entry[1] };
  });
}

/** Codes any block may fail with, whatever it declares (the engine's and the registry's). */
export const COMMON_BLOCK_ERRORS: readonly BlockErrorSpec[] = blockErrors(
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'NODE_TIMEOUT',
  'VALUE_TOO_LARGE',
  'CANCELLED',
  'NODE_FAILED',
  'INSUFFICIENT_CREDITS',
);

/** What the outbound HTTP client fails with: every block that calls a server declares these. */
export const OUTBOUND_ERRORS: readonly string[] = [
  'OUTBOUND_BAD_URL',
  'OUTBOUND_ADDRESS_REFUSED',
  'CREDENTIAL_HOST_REFUSED',
  'OUTBOUND_REQUEST_FAILED',
  'OUTBOUND_TIMEOUT',
  'OUTBOUND_RESPONSE_TOO_LARGE',
  'OUTBOUND_TOO_MANY_REDIRECTS',
];

/** JSONata and Liquid run in the sandbox: what stops them (a result past executor.max_value_bytes is VALUE_TOO_LARGE, common to every block). */
export const SANDBOX_ERRORS: readonly string[] = ['SANDBOX_TIMEOUT', 'SANDBOX_MEMORY'];

export const LLM_ERRORS: readonly string[] = Object.keys(CATALOG).filter((code) => code.startsWith('LLM_'));
export const GITHUB_ERRORS: readonly string[] = Object.keys(CATALOG).filter((code) => code.startsWith('GITHUB_'));
export const EMAIL_ERRORS: readonly string[] = Object.keys(CATALOG).filter((code) => code.startsWith('EMAIL_'));

/** The block's declared codes followed by the common ones it did not declare. */
export function allBlockErrors(declared: readonly BlockErrorSpec[] | undefined): BlockErrorSpec[] {
  const own = [...(declared ?? [])];
  const seen = new Set(own.map((error) => error.code));
  return [...own, ...COMMON_BLOCK_ERRORS.filter((error) => !seen.has(error.code)).map((error) => ({ ...error }))];
}

/** `CODE` (transient), `CODE`, ...: the codes of `errors` that are not in `except` (the common ones by default). */
export function ownErrorList(errors: readonly BlockErrorSpec[], except: readonly BlockErrorSpec[] = COMMON_BLOCK_ERRORS, quote = '`'): string {
  const common = new Set(except.map((error) => error.code));
  return errors
    .filter((error) => !common.has(error.code))
    .map((error) => `${quote}${error.code}${quote}${error.transient ? ' (transient)' : ''}`)
    .join(', ');
}
