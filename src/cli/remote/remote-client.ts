// The CLI's client of a running server's REST API, over Node's fetch. Every failure (server unreachable,
// 401, 403, 404, 400 with problems, ...) becomes a RemoteError whose message tells a person what to do.
import type { Problem } from '../../common/errors.js';

export interface RemoteTarget {
  /** The server's base URL, without a trailing slash (http://127.0.0.1:3000). */
  server: string;
  apiKey: string;
}

/** A request the server refused or could not answer; `status` is null when it was never reached. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null = null,
    readonly problems: Problem[] = [],
    /** The server's own message (its error body's), when it answered one. */
    readonly said: string | null = null,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** What the request is about, for messages ("agent hello", "execution 42"). */
  subject?: string;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { problems?: Problem[] }; request_id?: string };
}

/** `file:line:col: message`, or `pointer: message` for JSON bodies: the shape `trellis validate` prints. */
export function formatRemoteProblem(problem: Problem & { severity?: string }): string {
  const where = [problem.file, problem.line, problem.column].filter((part) => part !== undefined && part !== null).join(':');
  const place = where || problem.pointer || '(request)';
  const level = problem.severity === 'warning' ? 'warning: ' : '';
  return `${place}: ${level}${problem.message}`;
}

export class RemoteClient {
  constructor(
    readonly target: RemoteTarget,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  put<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, options);
  }

  /** The WebSocket URL of the server (`ws://host/ws`), for following an execution live. */
  websocketUrl(): string {
    const url = new URL('/ws', this.target.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.target.server + '/');
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { 'x-api-key': this.target.apiKey, accept: 'application/json' };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}) });
    } catch (error) {
      throw new RemoteError(unreachable(this.target.server, error), null);
    }
    const text = await response.text();
    if (response.ok) return (text ? parseJson(text, url) : undefined) as T;
    throw this.failure(response.status, method, url, text, options.subject);
  }

  private failure(status: number, method: string, url: URL, text: string, subject: string | undefined): RemoteError {
    const body = tryParse(text) as ErrorBody | null;
    const code = body?.error?.code ?? null;
    const said = body?.error?.message ?? (text.trim().slice(0, 300) || `HTTP ${status}`);
    const problems = body?.error?.details?.problems ?? [];
    const server = this.target.server;
    switch (status) {
      case 401:
        return new RemoteError(
          `${server} refused the API key (401: ${said}). Check --api-key or TRELLIS_API_KEY: create a key with \`trellis keys create --user <handle>\` on the server's machine, or POST /api/user/api-keys with a key that works.`,
          status,
          code,
        );
      case 403:
        return new RemoteError(`${server} says the API key may not do this (403: ${said}). Use a key with that scope, or ask an admin.`, status, code);
      case 404:
        // Our error filter says "No route ..." for a path it does not serve (Express alone: "Cannot GET ...").
        if (/^(No route|Cannot) (GET|POST|PUT|PATCH|DELETE) /.test(said)) {
          return new RemoteError(
            `${server} has no ${method} ${url.pathname} (404). Is --server the address of a Trellis server of this release (role api or all)?`,
            status,
            code,
          );
        }
        return new RemoteError(`${subject ? `${subject}: ` : ''}${said} (404 from ${server})`, status, code);
      case 400:
        return new RemoteError(
          problems.length ? `${said}\n${problems.map((p) => `  ${formatRemoteProblem(p)}`).join('\n')}` : `${said} (400)`,
          status,
          code,
          problems,
        );
      default:
        if (status >= 500) {
          const id = body?.error?.request_id ? ` (request id ${body.error.request_id}: the server's log has the details)` : '';
          return new RemoteError(
            `${server} failed to answer ${method} ${url.pathname} (${status}: ${said})${id}. Try again, or look at the server's log.`,
            status,
            code,
            [],
            body?.error?.message ?? null,
          );
        }
        return new RemoteError(`${said} (${status} from ${server})`, status, code);
    }
  }
}

function unreachable(server: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `Cannot reach the Trellis server at ${server} (${reason}). Start it (\`trellis start\`), or check --server / TRELLIS_SERVER.`;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function parseJson(text: string, url: URL): unknown {
  const value = tryParse(text);
  if (value === null && text.trim() !== 'null')
    throw new RemoteError(`${url.origin}${url.pathname} answered something other than JSON: is it a Trellis server?`, null);
  return value;
}
