// /webhooks/{agent}/{node} answered by the HTTP server itself, before Express: Express's request setup (two
// prototype swaps per request), its router and Nest's guards, pipes and filter were about a third of a
// webhook's CPU in the peers bench, and Express alone (app.handle, the router walk, req.query, req.ip) still
// a tenth once Nest was left out. The request gets its id and its log line as every request does
// (requestTracker); the body goes through the same raw parser with the same limit. Whatever needs
// Express (an error, an answer shaped by http_response, the source address for webhooks.rate_limit) makes
// the request and response Express's first, as Express would have. Everything a webhook means stays in
// WebhooksService, which the controller (the documented route, and the fallback for what this handler
// passes on) calls alike.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AllErrorsFilter } from '../../common/error.filter.js';
import { requestContext } from '../../common/request-context.js';
import { requestTracker } from '../../common/request-id.middleware.js';
import type { AppConfig } from '../../config/config.schema.js';
import { isPlainAcceptance, sendAnswer, writeAcceptance } from './webhook-answer.js';
import { WebhooksService, type WebhookRequest } from './webhooks.service.js';

/** Two path segments after /webhooks/ (an optional trailing slash, then the query). */
const ROUTE = /^\/webhooks\/([^/?]+)\/([^/?]+)\/?(?:\?|$)/;
/** What the storable-request middleware refuses (%00, or a raw NUL): such URLs take the Nest route, which answers its 400. */
const ENCODED_NUL = /%00/i;

type QueryParser = (query: string) => Record<string, unknown>;

/** The parts of a request WebhooksService reads (the controller's and this handler's). */
export function webhookRequest(
  req: IncomingMessage & { body?: unknown },
  agent: string,
  node: string,
  { wait, ...query }: Record<string, unknown>,
  address: () => string,
): WebhookRequest {
  return {
    agent,
    node,
    method: req.method ?? 'GET',
    headers: req.headers,
    query,
    rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
    address,
    wait: typeof wait === 'string' ? wait : undefined,
  };
}

/** The source address Express gives (`trust proxy` applied). */
export function sourceAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Mounts the handler when this process serves webhooks (roles api and all). */
export function mountWebhookRoute(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  if (config.role === 'worker') return;
  const webhooks = app.get(WebhooksService, { strict: false });
  const filter = new AllErrorsFilter(logger.child({ component: 'AllErrorsFilter' }));
  const readBody = express.raw({ type: () => true, limit: config.webhooks.body_limit });
  const track = requestTracker(logger);
  const expressApp: Express = app.getHttpAdapter().getInstance();
  const server: Server = app.getHttpServer();
  if (!server.listeners('request').includes(expressApp)) throw new Error("the webhook route expects Express to be the HTTP server's request handler");

  /** What Express's app.handle does before its router: req and res become Express's (req.ip, res.json, ...). */
  const asExpress = (req: IncomingMessage, res: ServerResponse): { req: Request; res: Response } => {
    const request = req as Request;
    const response = res as Response;
    if (Object.getPrototypeOf(req) !== expressApp.request) {
      Object.setPrototypeOf(req, expressApp.request);
      Object.setPrototypeOf(res, expressApp.response);
      request.res = response;
      response.req = request;
      (response as { locals?: Record<string, unknown> }).locals ??= Object.create(null) as Record<string, unknown>;
    }
    return { req: request, res: response };
  };
  const fail = (error: unknown, req: IncomingMessage, res: ServerResponse) => {
    const { req: request, res: response } = asExpress(req, res);
    filter.answer(error, request, response);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, agent: string, node: string, search: string) => {
    readBody(req, res, (error?: unknown) => {
      if (error) {
        fail(error, req, res);
        return;
      }
      const parseQuery = expressApp.get('query parser fn') as QueryParser | undefined;
      const query = search === '' || !parseQuery ? {} : parseQuery(search);
      const address = () => sourceAddress(asExpress(req, res).req);
      webhooks.receive(webhookRequest(req, agent, node, query, address)).then(
        (answer) => {
          if (isPlainAcceptance(answer)) writeAcceptance(res, answer);
          else sendAnswer(asExpress(req, res).res, answer);
        },
        (failure: unknown) => {
          fail(failure, req, res);
        },
      );
    });
  };

  server.removeListener('request', expressApp);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const match = ROUTE.exec(url);
    if (!match || ENCODED_NUL.test(url) || url.includes('\u0000')) {
      expressApp(req, res);
      return;
    }
    let agent: string;
    let node: string;
    try {
      agent = decodeURIComponent(match[1]!);
      node = decodeURIComponent(match[2]!);
    } catch {
      expressApp(req, res); // Express answers a malformed escape as the Nest route does
      return;
    }
    const search = match[0].endsWith('?') ? url.slice(match[0].length) : '';
    requestContext.run({ requestId: track(req, res) }, handle, req, res, agent, node, search);
  });
}
