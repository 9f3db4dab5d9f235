// Provides EVENT_BUS to every module: Redis pub/sub when REDIS_URL is set (a dedicated subscriber
// connection), an in-process emitter otherwise.
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logger.js';
import { createRedis, REDIS } from '../../common/redis.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { INTEGRATION_CHANGE_FEED } from '../../blocks/integrations/integration-changes.types.js';
import { EVENT_BUS, type EventBus } from './execution-events.js';
import { MemoryEventBus } from './memory-event-bus.js';
import { eventChannel, RedisEventBus } from './redis-event-bus.js';

export async function createEventBus(config: AppConfig, redis: Redis | null, logger: Logger): Promise<EventBus> {
  if (!redis || !config.redisUrl) return new MemoryEventBus(logger);
  const bus = new RedisEventBus(redis, createRedis(config.redisUrl), eventChannel(config.queuePrefix), logger);
  await bus.ready();
  return bus;
}

@Global()
@Module({
  providers: [
    {
      provide: EVENT_BUS,
      inject: [APP_CONFIG, REDIS, LOGGER],
      useFactory: (config: AppConfig, redis: Redis | null, logger: Logger) => createEventBus(config, redis, logger),
    },
    // The port integrations follow their changes through (below executions in the layers): this bus.
    { provide: INTEGRATION_CHANGE_FEED, useExisting: EVENT_BUS },
  ],
  exports: [EVENT_BUS, INTEGRATION_CHANGE_FEED],
})
export class ExecutionEventsModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
