// pino JSON logs through Nest: its framework messages, and a logger per class that injects one. The process's
// root logger is made in root-logger.ts, which loads no Nest (the server starts its database before Nest loads).
import { Scope, type FactoryProvider, type LoggerService } from '@nestjs/common';
import { INQUIRER } from '@nestjs/core';
import type { Logger } from 'pino';

export { createLogger } from './root-logger.js';

/**
 * Nest's start-up chatter: a line per module, controller and route (about 110 at every start). It is
 * kept at debug (LOG_LEVEL=debug shows it); Trellis logs one line of its own once it listens.
 */
export const NEST_STARTUP_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestApplication',
]);

/** Nest's logger interface over pino, so framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    if (context && NEST_STARTUP_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    // An Error goes through the logger's `err` serializer (no SQL parameters), never as raw fields.
    if (message instanceof Error) this.logger.error({ context, err: message }, message.message);
    else this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}

export const LOGGER = Symbol('LOGGER');

/**
 * A logger named for the class that injects it (`@Inject(COMPONENT_LOGGER) private readonly logger: Logger`):
 * every line carries `component: '<ClassName>'`. Transient, so each consumer gets its own child.
 */
export const COMPONENT_LOGGER = Symbol('COMPONENT_LOGGER');

export const componentLoggerProvider: FactoryProvider<Logger> = {
  provide: COMPONENT_LOGGER,
  scope: Scope.TRANSIENT,
  inject: [LOGGER, INQUIRER],
  useFactory: (logger: Logger, owner: object | undefined) => logger.child({ component: owner?.constructor.name ?? 'unknown' }),
};
