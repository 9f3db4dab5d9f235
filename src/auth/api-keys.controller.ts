import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { UsersService } from '../users/users.service.js';
import { RequireScopes } from './auth.decorators.js';
import { apiKeyView, CreateApiKeyDto, type ApiKeyView, type NewApiKeyView } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal, type Principal } from './principal.js';

@ApiTags('user')
@ApiBearerAuth('bearer')
@ApiSecurity('api_key')
@Controller('api/user/api-keys')
@RequireScopes('account')
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's API keys (never the secret)" })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: ApiKeyView[]; next_cursor: null }> {
    const keys = await this.apiKeys.list(principal.user.id);
    return { items: keys.map(({ entity, lastUsedAt }) => apiKeyView(entity, lastUsedAt)), next_cursor: null };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'A new API key; the secret `key` is in this answer only' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<NewApiKeyView> {
    const user = await this.users.getById(principal.user.id);
    const created = await this.apiKeys.create(user, body, principal);
    return { ...apiKeyView(created.entity), key: created.key };
  }

  @Delete(':key_id')
  @ApiOperation({ summary: 'Revoke one of your keys' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param('key_id') keyId: string): Promise<ApiKeyView> {
    const { entity, lastUsedAt } = await this.apiKeys.revoke(principal.user.id, keyId);
    return apiKeyView(entity, lastUsedAt);
  }
}
