import { Module } from '@nestjs/common';
import { AdminCreditsController } from './admin-credits.controller.js';
import { CreditsController } from './credits.controller.js';
import { CreditsModule } from './credits.module.js';

/** The api role's part: /api/user/credits and /api/admin/users/{user_id}/credits. */
@Module({ imports: [CreditsModule], controllers: [CreditsController, AdminCreditsController] })
export class CreditsHttpModule {}
