import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, ErrorStatus } from './errors.js';
import { COMPONENT_LOGGER } from './logger.js';
import { currentRequestId } from './request-context.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown>; request_id: string | null };
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  402: 'INSUFFICIENT_CREDITS',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** The one place errors become HTTP answers: codes to status, the common body, no internals on 500. */
@Catch()
export class AllErrorsFilter implements ExceptionFilter {
  constructor(@Inject(COMPONENT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }

  /** Sends the answer for `exception` (also for handlers mounted before Nest's pipeline: the webhook route). */
  answer(exception: unknown, request: Request, response: Response): void {
    const { status, body, headers } = this.toAnswer(exception, request);
    if (status >= 500) {
      this.logger.error({ err: exception, method: request.method, path: request.path, request_id: body.error.request_id }, 'request failed');
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  toAnswer(exception: unknown, request: Request): { status: number; body: ErrorBody; headers: Record<string, string> } {
    const requestId = currentRequestId() ?? (request.headers['x-request-id'] as string | undefined) ?? null;
    const answer = (status: number, code: string, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) => ({
      status,
      headers,
      body: { error: { code, message, details, request_id: requestId } },
    });
    if (exception instanceof AppError) return answer(exception.status, exception.code, exception.message, exception.details, exception.headers);
    // body-parser errors carry `type` and `status`.
    const bodyError = exception as { type?: string; status?: number; limit?: number; message?: string };
    if (bodyError?.type === 'entity.too.large') {
      return answer(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${bodyError.limit} bytes. Send a smaller body.`, {
        limit: bodyError.limit,
      });
    }
    if (bodyError?.type === 'entity.parse.failed') {
      return answer(400, 'BAD_REQUEST', `The request body is not valid JSON (${bodyError.message}). Send a JSON object with Content-Type: application/json.`);
    }
    if (bodyError?.type === 'encoding.unsupported' || bodyError?.type === 'charset.unsupported') {
      return answer(415, 'UNSUPPORTED_MEDIA_TYPE', bodyError.message ?? 'Unsupported encoding');
    }
    if (isDatabaseUnavailable(exception)) {
      return answer(
        503,
        'UNAVAILABLE',
        'The database is unreachable right now (it may be restarting). Try again in a few seconds; if this lasts, check that Postgres is up.',
        {},
        { 'Retry-After': '5' },
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const message =
        typeof raw === 'string'
          ? raw
          : Array.isArray((raw as { message?: unknown }).message)
            ? (raw as { message: string[] }).message.join('; ')
            : String((raw as { message?: unknown }).message ?? exception.message);
      if (status === 404) {
        return answer(404, 'NOT_FOUND', `No route ${request.method} ${request.path}. See GET /api/openapi.json for every path.`);
      }
      if (status < 500) return answer(status, STATUS_CODES[status] ?? 'BAD_REQUEST', message);
    }
    return answer(
      ErrorStatus.INTERNAL,
      'INTERNAL',
      `Something went wrong on our side. Quote request id ${requestId ?? '(none)'} when you report it; the server log has the details.`,
    );
  }
}

/** SQLSTATE classes and codes that mean "Postgres is down, restarting or refusing connections", not a bad query. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '55000']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|Connection is not established|Cannot use a pool after calling end/i;

/** A pool or connection failure of Postgres (a restart, a failover): answered 503, never 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const { code, message, driverError, cause } = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_ERRNOS.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    current = driverError ?? cause;
  }
  return false;
}
