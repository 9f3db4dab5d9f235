// Cron schedules for every role: the driver (BullMQ job schedulers when REDIS_URL is set, the local
// scheduler on Postgres otherwise), reconcile on graph activations, and the fire. Worker processes fire.
import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logger.js';
import { REDIS } from '../../common/redis.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ExecutionsModule } from '../../executions/executions.module.js';
import { GraphsModule } from '../../graphs/graphs.module.js';
import { TriggerPolicyOnStart } from '../trigger-policy.startup.js';
import { BullMqScheduleDriver } from './bullmq-schedule.driver.js';
import { LocalScheduleDriver } from './local-schedule.driver.js';
import { SCHEDULE_DRIVER, type ScheduleDriver } from './schedule-driver.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SchedulesService } from './schedules.service.js';

export function createScheduleDriver(config: AppConfig, redis: Redis | null, repository: SchedulesRepository, logger: Logger): ScheduleDriver {
  if (config.redisUrl && redis) return new BullMqScheduleDriver(config.redisUrl, redis, config.queuePrefix, logger);
  return new LocalScheduleDriver(repository, config.schedules.misfire_grace, logger);
}

@Module({
  imports: [GraphsModule, ExecutionsModule],
  providers: [
    SchedulesRepository,
    SchedulesService,
    TriggerPolicyOnStart,
    { provide: SCHEDULE_DRIVER, inject: [APP_CONFIG, REDIS, SchedulesRepository, LOGGER], useFactory: createScheduleDriver },
  ],
  exports: [SchedulesRepository, SchedulesService, SCHEDULE_DRIVER, ExecutionsModule],
})
export class SchedulesModule {}
