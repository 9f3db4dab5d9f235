// Reviews and event waits for every role: the service, the repositories, and OUTSIDE_WAITS for the
// executions worker. Global, so the worker finds the port without importing this module.
import { Global, Module } from '@nestjs/common';
import { OUTSIDE_WAITS } from '../executions/outside-waits.types.js';
import { ExecutionsModule } from '../executions/executions.module.js';
import { WaitEventsRepository } from '../wait-events/wait-events.repository.js';
import { OutsideWaitsService } from './outside-waits.service.js';
import { ReviewsRepository } from './reviews.repository.js';
import { ReviewsService } from './reviews.service.js';

@Global()
@Module({
  imports: [ExecutionsModule],
  providers: [ReviewsRepository, ReviewsService, WaitEventsRepository, OutsideWaitsService, { provide: OUTSIDE_WAITS, useExisting: OutsideWaitsService }],
  exports: [ReviewsService, WaitEventsRepository, OUTSIDE_WAITS],
})
export class ReviewsModule {}
