import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { componentLoggerProvider, COMPONENT_LOGGER, LOGGER } from './logger.js';
import { REDIS } from './redis.js';

/** Process-wide singletons made before Nest starts: the pino logger (and a child per component) and the Redis client (or null). */
@Global()
@Module({})
export class CommonModule {
  static forRoot(logger: Logger, redis: Redis | null): DynamicModule {
    return {
      module: CommonModule,
      providers: [{ provide: LOGGER, useValue: logger }, { provide: REDIS, useValue: redis }, componentLoggerProvider],
      exports: [LOGGER, COMPONENT_LOGGER, REDIS],
    };
  }
}
