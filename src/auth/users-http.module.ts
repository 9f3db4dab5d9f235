import { Module } from '@nestjs/common';
import { AuthModule } from './auth.module.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsersService } from './admin-users.service.js';
import { UsersController } from './users.controller.js';
import { UsersModule } from '../users/users.module.js';

/** The api role's part: /api/user and /api/admin/users. */
@Module({
  imports: [UsersModule, AuthModule],
  controllers: [UsersController, AdminUsersController],
  providers: [AdminUsersService],
})
export class UsersHttpModule {}
