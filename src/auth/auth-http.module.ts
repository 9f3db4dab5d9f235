import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UsersModule } from '../users/users.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiAuthGuard } from './auth.guard.js';
import { AuthModule } from './auth.module.js';

/** The api role's part: the global guard of /api and the API key routes. */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [ApiKeysController],
  providers: [{ provide: APP_GUARD, useClass: ApiAuthGuard }],
})
export class AuthHttpModule {}
