import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { CREDENTIAL, CREDENTIAL_PAGE } from './credentials-answers.dto.js';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { CreateCredentialDto, credentialView, parseCreateCredential, parseNameParam, ReplaceCredentialDto, type CredentialView } from './credentials.dto.js';
import { CredentialsService } from './credentials.service.js';

@ApiTags('integrations')
@ApiAuthenticated()
@ApiError(403)
@RequireScopes('credentials:manage')
@Controller('api/integrations/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get()
  @ApiOperation({ summary: "The caller's credentials: metadata only, never a secret" })
  @ApiAnswers({ status: 200, schema: CREDENTIAL_PAGE, description: 'Your credentials' })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: CredentialView[]; next_cursor: null }> {
    const items = await this.credentials.list(principal.user.id);
    return { items: items.map(credentialView), next_cursor: null };
  }

  @Post()
  @HttpCode(201)
  @ApiBody({ type: CreateCredentialDto })
  @ApiOperation({ summary: 'Store a credential (secret fields encrypted); 409 if the name is yours already or in config/credentials.yaml' })
  @ApiAnswers({ status: 201, schema: CREDENTIAL, description: 'The credential (metadata)' }, 400, 409)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<CredentialView> {
    return credentialView(await this.credentials.create(principal.user.id, parseCreateCredential(body)));
  }

  @Get(':name')
  @ApiOperation({ summary: "One of the caller's credentials: metadata only" })
  @ApiAnswers({ status: 200, schema: CREDENTIAL, description: 'The credential (metadata)' }, 400, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<CredentialView> {
    return credentialView(await this.credentials.get(principal.user.id, parseNameParam(name)));
  }

  @Put(':name')
  @ApiBody({ type: ReplaceCredentialDto })
  @ApiOperation({ summary: 'Replace the secret fields (rotation); the type stays' })
  @ApiAnswers({ status: 200, schema: CREDENTIAL, description: 'The credential (metadata), its version increased' }, 400, 404)
  async replace(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body() body: unknown): Promise<CredentialView> {
    return credentialView(await this.credentials.replace(principal.user.id, parseNameParam(name), body));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one of your credentials' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiError(400)
  @ApiError(404)
  async delete(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<void> {
    await this.credentials.delete(principal.user.id, parseNameParam(name));
  }
}
