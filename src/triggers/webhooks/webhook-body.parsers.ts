// Raw-body parsers for /webhooks: mounted before the global JSON parser (bootstrap), so signatures are
// checked over the exact bytes sent and the /api parser never consumes a webhook body. GitHub deliveries
// get their own, larger limit. Past a limit the error filter answers 413.
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppConfig } from '../../config/config.schema.js';

export function mountWebhookBodyParsers(app: NestExpressApplication, config: AppConfig): void {
  const anyType = () => true;
  // The first parser that reads a body wins; later parsers see it consumed and pass it on untouched.
  const github = express.raw({ type: anyType, limit: config.webhooks.github_body_limit });
  // Only /webhooks/github itself: an agent named github keeps the webhook limit on /webhooks/github/<node>.
  app.use('/webhooks/github', (req: Request, res: Response, next: NextFunction) => (req.path === '/' ? github(req, res, next) : next()));
  app.use('/webhooks', express.raw({ type: anyType, limit: config.webhooks.body_limit }));
}
