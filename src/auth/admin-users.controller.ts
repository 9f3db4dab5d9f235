import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { CREATED_USER, USER_PAGE } from '../users/users-answers.dto.js';
import { RequireScopes } from './auth.decorators.js';
import { apiKeyView, type NewApiKeyView } from './api-keys.dto.js';
import { CurrentPrincipal, type Principal } from './principal.js';
import { AdminUsersService } from './admin-users.service.js';
import { CreateUserDto, ListUsersQuery, userView, type UserView } from '../users/users.dto.js';
import { UsersService } from '../users/users.service.js';

@ApiTags('admin')
@ApiAuthenticated()
@ApiError(403)
@RequireScopes('admin')
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly adminUsers: AdminUsersService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a user; answers the user and a first API key (the secret shown once)' })
  @ApiAnswers({ status: 201, schema: CREATED_USER, description: 'The user and its first key' }, 400, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateUserDto): Promise<{ user: UserView; api_key: NewApiKeyView }> {
    const { user, key } = await this.adminUsers.createWithKey(body, principal);
    return { user: userView(user), api_key: { ...apiKeyView(key.entity), key: key.key } };
  }

  @Get()
  @ApiOperation({ summary: 'Every user, by handle (cursor pagination)' })
  @ApiAnswers({ status: 200, schema: USER_PAGE, description: 'A page of users' }, 400)
  async list(@Query() query: ListUsersQuery): Promise<{ items: UserView[]; next_cursor: string | null }> {
    const page = await this.users.list(query.cursor, query.limit ?? 50);
    return { items: page.items.map(userView), next_cursor: page.next_cursor };
  }
}
