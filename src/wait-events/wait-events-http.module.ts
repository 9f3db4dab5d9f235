// The api role's event route; the repository comes from the global ReviewsModule.
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ExecutionsModule } from '../executions/executions.module.js';
import { WaitEventsController } from './wait-events.controller.js';
import { WaitEventsService } from './wait-events.service.js';

@Module({ imports: [AuthModule, ExecutionsModule], controllers: [WaitEventsController], providers: [WaitEventsService] })
export class WaitEventsHttpModule {}
