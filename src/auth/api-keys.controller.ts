import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { API_KEY, API_KEY_PAGE, NEW_API_KEY } from './api-keys-answers.dto.js';
import { UsersService } from '../users/users.service.js';
import { RequireScopes } from './auth.decorators.js';
import { apiKeyView, CreateApiKeyDto, type ApiKeyView, type NewApiKeyView } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal, type Principal } from './principal.js';

@ApiTags('user')
@ApiAuthenticated()
@ApiError(403)
@Controller('api/user/api-keys')
@RequireScopes('account')
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's API keys (never the secret)" })
  @ApiAnswers({ status: 200, schema: API_KEY_PAGE, description: 'Your keys' })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: ApiKeyView[]; next_cursor: null }> {
    const keys = await this.apiKeys.list(principal.user.id);
    return { items: keys.map(({ entity, lastUsedAt }) => apiKeyView(entity, lastUsedAt)), next_cursor: null };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'A new API key; the secret `key` is in this answer only' })
  @ApiAnswers({ status: 201, schema: NEW_API_KEY, description: 'The key, with its secret' }, 400)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<NewApiKeyView> {
    const user = await this.users.getById(principal.user.id);
    const created = await this.apiKeys.create(user, body, principal);
    return { ...apiKeyView(created.entity), key: created.key };
  }

  @Delete(':key_id')
  @ApiOperation({ summary: 'Revoke one of your keys' })
  @ApiAnswers({ status: 200, schema: API_KEY, description: 'The key, revoked' }, 404)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('key_id') keyId: string): Promise<ApiKeyView> {
    const { entity, lastUsedAt } = await this.apiKeys.revoke(principal.user.id, keyId);
    return apiKeyView(entity, lastUsedAt);
  }
}
