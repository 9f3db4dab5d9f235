import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated } from '../common/api-docs.dto.js';
import { USER } from '../users/users-answers.dto.js';
import { RequireScopes } from './auth.decorators.js';
import { CurrentPrincipal, type Principal } from './principal.js';
import { UpdateUserDto, userView, type UserView } from '../users/users.dto.js';
import { UsersService } from '../users/users.service.js';

@ApiTags('user')
@ApiAuthenticated()
@Controller('api/user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'The caller' })
  @ApiAnswers({ status: 200, schema: USER, description: 'You' })
  async get(@CurrentPrincipal() principal: Principal): Promise<UserView> {
    return userView(await this.users.getById(principal.user.id));
  }

  @Put()
  @RequireScopes('account')
  @ApiOperation({ summary: "Change the caller's name, email, time zone or notification preferences" })
  @ApiAnswers({ status: 200, schema: USER, description: 'You, changed' }, 400, 403)
  async update(@CurrentPrincipal() principal: Principal, @Body() body: UpdateUserDto): Promise<UserView> {
    const patch: UpdateUserDto = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.email !== undefined) patch.email = body.email;
    if (body.timezone !== undefined) patch.timezone = body.timezone;
    if (body.notification_preferences !== undefined) patch.notification_preferences = body.notification_preferences;
    return userView(await this.users.updateProfile(principal.user.id, patch));
  }
}
