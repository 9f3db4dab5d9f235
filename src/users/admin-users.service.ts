// Admins create users: the user, its credit account and a first API key, in one transaction.
import { Injectable } from '@nestjs/common';
import { ApiKeysService, type CreatedKey } from '../auth/api-keys.service.js';
import type { Principal } from '../auth/principal.js';
import type { UserEntity } from './user.entity.js';
import type { CreateUserDto } from './users.dto.js';
import { UsersService } from './users.service.js';

@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  createWithKey(input: CreateUserDto, grantor: Principal): Promise<{ user: UserEntity; key: CreatedKey }> {
    return this.users.transaction(async (manager) => {
      const user = await this.users.createUser(input, manager);
      const key = await this.apiKeys.create(user, { name: 'first key' }, grantor, manager);
      return { user, key };
    });
  }
}
