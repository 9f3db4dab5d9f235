// /webhooks/{agent}/{node} answered as the first handler after the request id, before Express's router
// walks every route and before Nest's guards, pipes and filter: the profile of the peers bench put that
// pipeline at about a third of a webhook's CPU. Everything a webhook means stays in WebhooksService, which
// the controller (the documented route, and the fallback for what this handler passes on) calls alike; the
// body goes through the same raw parser with the same limit, and errors through the global error filter.
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AllErrorsFilter } from '../../common/error.filter.js';
import type { AppConfig } from '../../config/config.schema.js';
import { sendAnswer } from './webhook-answer.js';
import { WebhooksService, type WebhookRequest } from './webhooks.service.js';

/** Two path segments after /webhooks/ (an optional trailing slash, then the query). */
const ROUTE = /^\/webhooks\/([^/?]+)\/([^/?]+)\/?(?:\?|$)/;
/** What the storable-request middleware refuses (%00, or a raw NUL): such URLs take the Nest route, which answers its 400. */
const ENCODED_NUL = /%00/i;

/** The parts of a request WebhooksService reads (the controller's and this handler's). */
export function webhookRequest(req: Request, agent: string, node: string): WebhookRequest {
  const { wait, ...query } = req.query as Record<string, unknown>;
  return {
    agent,
    node,
    method: req.method,
    headers: req.headers,
    query,
    rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
    address: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    wait: typeof wait === 'string' ? wait : undefined,
  };
}

/** Mounts the handler when this process serves webhooks (roles api and all). */
export function mountWebhookRoute(app: NestExpressApplication, config: AppConfig, logger: Logger): void {
  if (config.role === 'worker') return;
  const webhooks = app.get(WebhooksService, { strict: false });
  const filter = new AllErrorsFilter(logger.child({ component: 'AllErrorsFilter' }));
  const readBody = express.raw({ type: () => true, limit: config.webhooks.body_limit });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const match = ROUTE.exec(req.url);
    if (!match || ENCODED_NUL.test(req.url) || req.url.includes('\u0000')) return next();
    let agent: string;
    let node: string;
    try {
      agent = decodeURIComponent(match[1]!);
      node = decodeURIComponent(match[2]!);
    } catch {
      return next(); // Express answers a malformed escape as the Nest route does
    }
    readBody(req, res, (error?: unknown) => {
      if (error) return filter.answer(error, req, res);
      webhooks.receive(webhookRequest(req, agent, node)).then(
        (answer) => sendAnswer(res, answer),
        (failure: unknown) => filter.answer(failure, req, res),
      );
    });
  });
}
