// The outbound HTTP client of every block (BlockHttpClient): honours the run's AbortSignal and a
// timeout, caps the response size while streaming, and refuses private addresses after DNS resolution
// on every hop (redirects are followed here, by hand, so each hop is checked). Connections are pinned
// to the checked addresses through the Agent's `connect.lookup` (see host-resolver.ts). A credential's
// headers go only to its hosts and never across origins on a redirect (credential-attach.ts).
//
// We use undici's own `fetch` with undici's `Agent`: Node 20 bundles an older undici whose fetch is not
// guaranteed to speak the Agent's dispatcher interface. Blocks still receive a standard global Response.
// undici (~220 modules) loads with the first request, not with the server's start.
import type { Agent, fetch as undiciFetch, RequestInit as UndiciRequestInit } from 'undici';
import { AppError } from '../../common/errors.js';
import type { BlockHttpClient, BlockRequestInit, BlockRuntimeSettings } from '../block.types.js';
import { attachCredential } from './credential-attach.js';
import { checkLiteralAddress, guardedLookup, type AddressPolicy } from './host-resolver.js';
import { badUrl, OutboundErrorCode, requestFailed, requestTimedOut, responseTooLarge, tooManyRedirects } from './outbound.errors.js';

export const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/**
 * Headers a caller wrote by hand that do not follow a redirect to another origin, as in the fetch
 * standard. Headers made from a credential are dropped by construction (credential-attach.ts), whatever
 * their name.
 */
const FETCH_STANDARD_DROPPED = ['authorization', 'proxy-authorization', 'cookie'];

export type OutboundRequestInit = BlockRequestInit;

export interface OutboundHttpOptions extends AddressPolicy {
  maxResponseBytes: number;
  /** Used when a request gives no `timeoutMs`; unset means none (the node timeout aborts the signal). */
  defaultTimeoutMs?: number;
  /** Time allowed to open a connection, ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Told each request refused before it left (the metrics count them by reason). */
  onRefused?: (reason: OutboundRefusal) => void;
}

export type OutboundRefusal = 'private_address' | 'bad_url' | 'credential_host';

/** The errors that refuse a request before it leaves, by reason. */
const REFUSAL_REASONS: Partial<Record<string, OutboundRefusal>> = {
  [OutboundErrorCode.ADDRESS_REFUSED]: 'private_address',
  [OutboundErrorCode.BAD_URL]: 'bad_url',
  [OutboundErrorCode.CREDENTIAL_HOST_REFUSED]: 'credential_host',
};

/** One per process (it pools connections); `client(signal)` binds it to one block run. */
export class OutboundHttp {
  private undici?: Promise<{ agent: Agent; fetch: typeof undiciFetch }>;

  constructor(private readonly options: OutboundHttpOptions) {}

  /** undici's fetch and this client's Agent, made on the first request. */
  private connection(): Promise<{ agent: Agent; fetch: typeof undiciFetch }> {
    this.undici ??= import('undici').then(({ Agent, fetch }) => ({
      agent: new Agent({ connect: { lookup: guardedLookup(this.options), timeout: this.options.connectTimeoutMs ?? 10_000 } }),
      fetch,
    }));
    return this.undici;
  }

  static fromSettings(
    settings: Pick<BlockRuntimeSettings, 'allowPrivateAddresses' | 'maxResponseBytes'>,
    extra: Partial<OutboundHttpOptions> = {},
  ): OutboundHttp {
    return new OutboundHttp({ allowPrivateAddresses: settings.allowPrivateAddresses, maxResponseBytes: settings.maxResponseBytes, ...extra });
  }

  /** The BlockHttpClient of one run: every request also stops when `signal` aborts. */
  client(signal?: AbortSignal): BlockHttpClient {
    return {
      fetch: (url, init = {}) => {
        const signals = [signal, init.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
        return this.fetch(url, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] });
      },
    };
  }

  async close(): Promise<void> {
    if (this.undici) await (await this.undici).agent.close();
  }

  async fetch(input: string | URL, init: OutboundRequestInit = {}): Promise<Response> {
    try {
      return await this.send(input, init);
    } catch (error) {
      const reason = error instanceof AppError ? REFUSAL_REASONS[error.code] : undefined;
      if (reason) this.options.onRefused?.(reason);
      throw error;
    }
  }

  private async send(input: string | URL, init: OutboundRequestInit): Promise<Response> {
    const {
      maxResponseBytes = this.options.maxResponseBytes,
      timeoutMs = this.options.defaultTimeoutMs,
      signal: callerSignal,
      redirect = 'follow',
      credential,
      ...rest
    } = init;
    let url = parseOutboundUrl(input);
    const timer = timeoutMs ? startTimer(timeoutMs) : undefined;
    const signals = [callerSignal ?? undefined, timer?.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const translate = (error: unknown) => translateError(error, url, callerSignal ?? undefined, timer);
    let method = (rest.method ?? 'GET').toUpperCase();
    let body: RequestInit['body'] = rest.body ?? undefined;
    const headers = new Headers(rest.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', 'trellis');
    try {
      let attached = attachCredential(headers, url, credential);
      for (let redirects = 0; ; redirects++) {
        checkLiteralAddress(url.hostname, this.options);
        const { agent, fetch } = await this.connection();
        const response = await fetch(url, {
          ...(rest as UndiciRequestInit),
          method,
          headers: [...headers],
          body: body as UndiciRequestInit['body'],
          redirect: 'manual',
          signal,
          dispatcher: agent,
        });
        const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
        if (location === null || redirect === 'manual') {
          return capResponse(response, { url, redirected: redirects > 0, limit: maxResponseBytes, done: () => timer?.clear(), translate });
        }
        await response.body?.cancel().catch(() => undefined);
        if (redirect === 'error') throw requestFailed(url.host, `it answered with a redirect (${response.status} to ${location}) and redirects are off`);
        if (redirects >= MAX_REDIRECTS) throw tooManyRedirects(location, MAX_REDIRECTS);
        const next = parseOutboundUrl(new URL(location, url));
        ({ method, body } = redirectedRequest(response.status, method, body, headers, next));
        if (next.origin !== url.origin) {
          for (const name of [...attached, ...FETCH_STANDARD_DROPPED]) headers.delete(name);
          attached = [];
        }
        url = next;
      }
    } catch (error) {
      timer?.clear();
      throw translate(error);
    }
  }
}

export function parseOutboundUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw badUrl(String(input), 'it is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUrl(url.href, `the scheme ${url.protocol} is not allowed`);
  return url;
}

/** 303 (and 301/302 after POST) turn into a body-less GET; 307/308 repeat the request as it was. */
function redirectedRequest(status: number, method: string, body: RequestInit['body'] | undefined, headers: Headers, next: URL) {
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
    return { method: 'GET', body: undefined };
  }
  if (body instanceof ReadableStream) throw requestFailed(next.host, `it redirected (${status}) a request whose streamed body cannot be sent twice`);
  return { method, body };
}

interface Timer {
  signal: AbortSignal;
  ms: number;
  clear(): void;
}

function startTimer(ms: number): Timer {
  const controller = new AbortController();
  const handle = setTimeout(() => controller.abort(new DOMException(`The request took longer than ${ms} ms`, 'TimeoutError')), ms);
  return { signal: controller.signal, ms, clear: () => clearTimeout(handle) };
}

interface CapOptions {
  url: URL;
  redirected: boolean;
  limit: number;
  done(): void;
  translate(error: unknown): unknown;
}

/** A standard Response whose body stops with RESPONSE_TOO_LARGE past `limit` bytes. */
function capResponse(response: Awaited<ReturnType<typeof undiciFetch>>, options: CapOptions): Response {
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  const init = { status: response.status, statusText: response.statusText, headers };
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  let capped: Response;
  if (!response.body || NULL_BODY_STATUSES.has(response.status)) {
    void response.body?.cancel().catch(() => undefined);
    options.done();
    capped = new Response(null, init);
  } else if (declared > options.limit && !response.headers.has('content-encoding')) {
    void response.body.cancel().catch(() => undefined);
    options.done();
    throw responseTooLarge(options.url.host, options.limit, declared);
  } else {
    const reader = response.body.getReader();
    let received = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            options.done();
            controller.close();
            return;
          }
          received += value.byteLength;
          if (received > options.limit) {
            const error = responseTooLarge(options.url.host, options.limit);
            options.done();
            await reader.cancel(error).catch(() => undefined);
            controller.error(error);
            return;
          }
          controller.enqueue(value);
        } catch (error) {
          options.done();
          controller.error(options.translate(error));
        }
      },
      cancel(reason) {
        options.done();
        return reader.cancel(reason);
      },
    });
    capped = new Response(stream, init);
  }
  Object.defineProperties(capped, { url: { value: options.url.href }, redirected: { value: options.redirected } });
  return capped;
}

const ERRNO_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'no such host name',
  EAI_AGAIN: 'its name could not be resolved right now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'connecting timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_HEADERS_TIMEOUT: 'it sent no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'it stopped sending the response body',
};

/** Our errors pass through; a caller's abort stays an abort; the rest become clear messages. */
function translateError(error: unknown, url: URL, callerSignal: AbortSignal | undefined, timer: Timer | undefined): unknown {
  if (callerSignal?.aborted) return callerSignal.reason instanceof Error ? callerSignal.reason : new DOMException('The operation was aborted', 'AbortError');
  if (timer?.signal.aborted) return requestTimedOut(url.host, timer.ms);
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth++) {
    if (cause instanceof AppError) return cause;
    const aggregate = (cause as { errors?: unknown[] }).errors;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && ERRNO_REASONS[code]) return requestFailed(url.host, ERRNO_REASONS[code]!, code);
    if (typeof code === 'string' && /CERT|SSL|TLS/.test(code))
      return requestFailed(url.host, `its TLS certificate was not accepted (${(cause as Error).message})`, code);
    cause = Array.isArray(aggregate) && aggregate.length ? aggregate[0] : (cause as { cause?: unknown }).cause;
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return requestFailed(url.host, 'the request failed');
  return error;
}
