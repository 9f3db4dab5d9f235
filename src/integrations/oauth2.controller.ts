import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiError } from '../common/api-docs.dto.js';
import { CREDENTIAL, OAUTH_LOGIN } from './credentials-answers.dto.js';
import type { Request } from 'express';
import { Public, RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { credentialView, OAuthLoginDto, parseOAuthLogin, type CredentialView } from './credentials.dto.js';
import { OAuthService, type CallbackQuery, type LoginAnswer } from './oauth2.service.js';

@ApiTags('integrations')
@Controller('api/integrations/:provider')
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Post('login')
  @HttpCode(200)
  @RequireScopes('credentials:manage')
  @ApiBearerAuth('bearer')
  @ApiSecurity('api_key')
  @ApiError(401)
  @ApiError(403)
  @ApiError(429)
  @ApiBody({ type: OAuthLoginDto })
  @ApiOperation({ summary: 'Start an OAuth2 sign-in (authorization code with PKCE); open login_url in a browser' })
  @ApiAnswers({ status: 200, schema: OAUTH_LOGIN, description: 'The URL to open' }, 400, 404)
  async login(
    @CurrentPrincipal() principal: Principal,
    @Param('provider') provider: string,
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<LoginAnswer> {
    const { name } = parseOAuthLogin(body);
    return this.oauth.login(principal.user.id, provider, name, `${request.protocol}://${request.get('host') ?? 'localhost'}`);
  }

  @Get('callback')
  @Public()
  @ApiOperation({ summary: "Where the provider sends the browser back; authorised by the sign-in's state alone. Stores the oauth2 credential." })
  @ApiQuery({ name: 'code', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'state', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'error', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'error_description', required: false, schema: { type: 'string' } })
  @ApiAnswers({ status: 200, schema: CREDENTIAL, description: 'The stored credential (metadata)' }, 400, 404)
  async callback(@Param('provider') provider: string, @Query() query: Record<string, unknown>): Promise<CredentialView> {
    return credentialView(await this.oauth.callback(provider, pickStrings(query)));
  }
}

/** Query parameters given once as text; a repeated one counts as absent (and fails the state check). */
function pickStrings(query: Record<string, unknown>): CallbackQuery {
  const one = (key: keyof CallbackQuery) => (typeof query[key] === 'string' && query[key] !== '' ? (query[key] as string) : undefined);
  const picked: CallbackQuery = {};
  for (const key of ['code', 'state', 'error', 'error_description'] as const) {
    const value = one(key);
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}
