import { Module } from '@nestjs/common';
import { SchedulesApiService } from './schedules-api.service.js';
import { SchedulesController } from './schedules.controller.js';
import { SchedulesModule } from './schedules.module.js';

/** The api role's part: /api/graphs/{id}/schedules and /api/schedules. */
@Module({
  imports: [SchedulesModule],
  controllers: [SchedulesController],
  providers: [SchedulesApiService],
})
export class SchedulesHttpModule {}
