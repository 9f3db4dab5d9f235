// Admins create users: the user, its credit account and a first API key, in one transaction.
import { Injectable } from '@nestjs/common';
import { ApiKeysService, type CreatedKey } from './api-keys.service.js';
import type { Principal } from './principal.js';
import type { UserEntity } from '../users/user.entity.js';
import type { CreateUserDto } from '../users/users.dto.js';
import { UsersService } from '../users/users.service.js';

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
