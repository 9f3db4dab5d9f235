// POST /webhooks/{agent}/{node}/events/{key}: an event for wait.event nodes. Public path (outside /api):
// the service checks the signature or the caller's key. Answers 202 {} whether or not anything waits.
import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeaders, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers } from '../common/api-docs.dto.js';
import { EVENT_ACCEPTED } from './wait-events-answers.dto.js';
import { SIGNATURE_HEADERS } from '../triggers/webhooks/webhooks-answers.dto.js';
import type { Request } from 'express';
import { WaitEventsService } from './wait-events.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WaitEventsController {
  constructor(private readonly events: WaitEventsService) {}

  @Post(':agent/:node/events/:key')
  @HttpCode(202)
  @ApiOperation({ summary: 'Post an event to the wait.event node {node} of {agent} on {key} (202 {} whether or not anything waits)' })
  @ApiHeaders(SIGNATURE_HEADERS)
  @ApiBody({ required: false, schema: { description: 'Any JSON: the waiting node yields it on `event`.' } })
  @ApiAnswers({ status: 202, schema: EVENT_ACCEPTED, description: 'Accepted' }, 400, 401, 404, 413, 429)
  async post(@Param('agent') agent: string, @Param('node') node: string, @Param('key') key: string, @Req() req: Request): Promise<Record<string, never>> {
    await this.events.post({ agent, node, key, headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : undefined });
    return {};
  }
}
