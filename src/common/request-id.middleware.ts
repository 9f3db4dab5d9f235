import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContext } from './request-context.js';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives a request its id (the caller's X-Request-Id when it is sane), answers it in the same header, and
 * logs one line when the answer is sent. Only the path is logged: query strings may carry tokens (`/ws?token=`).
 * Express requests (requestIdMiddleware) and the webhook route, which answers before Express, share it.
 */
export function requestTracker(logger: Logger) {
  return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): string => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Below info (the bench's warn), a line that would be dropped is not built.
      if (res.statusCode < 500 && !logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = pathOf(req.originalUrl ?? req.url ?? '/');
      const line = { request_id: requestId, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) logger.error(line, 'request');
      else if (path.startsWith('/health') || path === '/metrics') logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    return requestId;
  };
}

/** Every request gets its id and its line (requestTracker), and runs inside that context. */
export function requestIdMiddleware(logger: Logger) {
  const track = requestTracker(logger);
  return (req: Request, res: Response, next: NextFunction) => {
    requestContext.run({ requestId: track(req, res) }, next);
  };
}

/** The path of a request target, without its query. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
