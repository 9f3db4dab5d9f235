// POST /webhooks/github: public, outside /api; thin. The raw body comes from the parser mounted in bootstrap.
import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeaders, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiError } from '../../common/api-docs.dto.js';
import { GITHUB_ACCEPTED, GITHUB_HEADERS } from '../webhooks/webhooks-answers.dto.js';
import type { Request, Response } from 'express';
import { sendAnswer } from '../webhooks/webhook-answer.js';
import { GithubWebhooksService } from './github-webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class GithubWebhooksController {
  constructor(private readonly github: GithubWebhooksService) {}

  @Post('github')
  @ApiOperation({
    summary: 'GitHub webhook deliveries (signed with GITHUB_WEBHOOK_SECRET): 202 {execution_ids}; a redelivery answers 200 with the first answer',
  })
  @ApiHeaders(GITHUB_HEADERS)
  @ApiBody({ schema: { type: 'object', description: "GitHub's event payload", additionalProperties: true } })
  @ApiAnswers(
    [
      { status: 202, schema: GITHUB_ACCEPTED, description: 'Executions started, one per matching trigger.github node' },
      { status: 200, schema: GITHUB_ACCEPTED, description: 'A ping, or a redelivery (the first answer)' },
    ],
    400,
    401,
    413,
  )
  @ApiError(503, 'UNAVAILABLE: GITHUB_WEBHOOK_SECRET is not set')
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const answer = await this.github.receive({ headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : undefined });
    sendAnswer(res, answer);
  }
}
