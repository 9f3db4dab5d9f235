import { Module } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/** Users for every role: lookups, creation with the credit account (CREDIT_ACCOUNTS, from the global CreditsModule), the built-in admin. */
@Module({
  providers: [UsersRepository, UsersService],
  exports: [UsersService, UsersRepository],
})
export class UsersModule {}
