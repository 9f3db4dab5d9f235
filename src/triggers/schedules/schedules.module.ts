// Cron schedules for every role: the driver (repeating jobs on the durable queue `schedules`: BullMQ job
// schedulers when REDIS_URL is set, durable_jobs otherwise), reconcile on graph activations, and the fire.
// Worker processes fire.
import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '../../common/logger.js';
import { REDIS } from '../../common/redis.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ExecutionsModule } from '../../executions/executions.module.js';
import { GraphsModule } from '../../graphs/graphs.module.js';
import { UsersModule } from '../../users/users.module.js';
import { TriggerPolicyOnStart } from '../trigger-policy.startup.js';
import { createDurableQueue } from '../../queue/durable-queue.factory.js';
import { AdhocIntervals } from './adhoc-intervals.service.js';
import { QueueScheduleDriver, SCHEDULE_DRIVER, SCHEDULES_QUEUE, type ScheduleDriver } from './schedule-driver.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SchedulesService } from './schedules.service.js';

export function createScheduleDriver(config: AppConfig, redis: Redis | null, dataSource: DataSource, logger: Logger): ScheduleDriver {
  return new QueueScheduleDriver(createDurableQueue(SCHEDULES_QUEUE, config, redis, dataSource, logger), config.schedules.concurrency);
}

@Module({
  imports: [GraphsModule, UsersModule, ExecutionsModule],
  providers: [
    SchedulesRepository,
    SchedulesService,
    AdhocIntervals,
    TriggerPolicyOnStart,
    { provide: SCHEDULE_DRIVER, inject: [APP_CONFIG, REDIS, DataSource, LOGGER], useFactory: createScheduleDriver },
  ],
  exports: [SchedulesRepository, SchedulesService, AdhocIntervals, SCHEDULE_DRIVER, ExecutionsModule],
})
export class SchedulesModule {}
