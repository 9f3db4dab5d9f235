import { Module } from '@nestjs/common';
import { CreditsRepository } from '../credits/credits.repository.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** Users for every role: lookups, creation with the credit account, the built-in admin. */
@Module({
  providers: [UsersRepository, UsersService, CreditsRepository],
  exports: [UsersService, UsersRepository],
})
export class UsersModule {}
