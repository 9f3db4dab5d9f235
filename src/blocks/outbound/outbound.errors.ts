// Error codes of outbound requests (blocks that reach the outside world). Each message names the host
// and tells a person what to change.
import { AppError, markTransient } from '../../common/errors.js';

export const OutboundErrorCode = {
  ADDRESS_REFUSED: 'OUTBOUND_ADDRESS_REFUSED',
  BAD_URL: 'OUTBOUND_BAD_URL',
  REQUEST_FAILED: 'OUTBOUND_REQUEST_FAILED',
  RESPONSE_TOO_LARGE: 'OUTBOUND_RESPONSE_TOO_LARGE',
  TIMEOUT: 'OUTBOUND_TIMEOUT',
  TOO_MANY_REDIRECTS: 'OUTBOUND_TOO_MANY_REDIRECTS',
  CREDENTIAL_HOST_REFUSED: 'CREDENTIAL_HOST_REFUSED',
} as const;

export const ALLOW_PRIVATE_KEY = 'http.allow_private_addresses';
const ALLOW_PRIVATE_HINT = `set ${ALLOW_PRIVATE_KEY}: true in config (or TRELLIS_HTTP__ALLOW_PRIVATE_ADDRESSES=true)`;

export function addressRefused(host: string, address: string, kind: string): AppError {
  const named = host === address ? address : `${host} (${address})`;
  return new AppError(
    OutboundErrorCode.ADDRESS_REFUSED,
    `Refused to connect to ${named}: it is a ${kind} address, and requests to private networks are off. ` +
      `Use a public address, or if this server may reach internal services, ${ALLOW_PRIVATE_HINT}.`,
    { host, address, kind, config_key: ALLOW_PRIVATE_KEY },
    400,
  );
}

export function badUrl(url: string, reason: string): AppError {
  return new AppError(OutboundErrorCode.BAD_URL, `Cannot request "${url}": ${reason}. Give a full http:// or https:// URL.`, { url }, 400);
}

/** A connection that failed: transient (a retry may reach the server). */
export function requestFailed(host: string, reason: string, code?: string): AppError {
  return markTransient(
    new AppError(
      OutboundErrorCode.REQUEST_FAILED,
      `Could not reach ${host}: ${reason}${code ? ` (${code})` : ''}. Check the URL and that the server is up and reachable from Trellis.`,
      { host, ...(code ? { cause_code: code } : {}) },
      502,
    ),
  );
}

export function responseTooLarge(host: string, limit: number, size?: number): AppError {
  return new AppError(
    OutboundErrorCode.RESPONSE_TOO_LARGE,
    `The response from ${host} is larger than the limit of ${limit} bytes${size !== undefined ? ` (it declared ${size})` : ''}; ` +
      'reading stopped there. Ask for less (a filter, a page, a range), or raise http.max_response_bytes.',
    { host, limit, ...(size !== undefined ? { declared_size: size } : {}) },
    502,
  );
}

/** A request that took too long: transient. */
export function requestTimedOut(host: string, timeoutMs: number): AppError {
  return markTransient(
    new AppError(
      OutboundErrorCode.TIMEOUT,
      `The request to ${host} took longer than ${timeoutMs} ms and was stopped. Raise the timeout, or check why the server is slow.`,
      { host, timeout_ms: timeoutMs },
      504,
    ),
  );
}

export function tooManyRedirects(url: string, max: number): AppError {
  return new AppError(
    OutboundErrorCode.TOO_MANY_REDIRECTS,
    `The request was redirected more than ${max} times (last to ${url}); it looks like a redirect loop. Request the final URL directly.`,
    { url, max },
    502,
  );
}

/** A credential asked to go to a host its `hosts` do not list (names the credential and host, never the secret). */
export function credentialHostRefused(credential: string, url: URL, hosts: readonly string[]): AppError {
  const where = hosts.length ? `it may only be sent to ${hosts.join(', ')}` : 'it may not be sent over HTTP at all';
  return new AppError(
    OutboundErrorCode.CREDENTIAL_HOST_REFUSED,
    `Refused to send the credential "${credential}" to ${url.protocol}//${url.host}: ${where}. ` +
      'Send the request to one of those hosts, use another credential, or (for an operator credential) add the host to its `hosts` in config/credentials.yaml.',
    { credential, host: url.host, hosts: [...hosts] },
    400,
  );
}
