// The api role's notification routes; the service comes from the global NotificationsModule.
import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller.js';

@Module({ controllers: [NotificationsController] })
export class NotificationsHttpModule {}
