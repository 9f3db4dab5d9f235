// POST /webhooks/github: public, outside /api; thin. The raw body comes from the parser mounted in bootstrap.
import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
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
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const answer = await this.github.receive({ headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : undefined });
    sendAnswer(res, answer);
  }
}
