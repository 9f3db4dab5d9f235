// POST /webhooks/{agent}/{node}/events/{key}: an event for wait.event nodes. Public path (outside /api):
// the service checks the signature or the caller's key. Answers 202 {} whether or not anything waits.
import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { WaitEventsService } from './wait-events.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WaitEventsController {
  constructor(private readonly events: WaitEventsService) {}

  @Post(':agent/:node/events/:key')
  @HttpCode(202)
  @ApiOperation({ summary: 'Post an event to the wait.event node {node} of {agent} on {key} (202 {} whether or not anything waits)' })
  async post(@Param('agent') agent: string, @Param('node') node: string, @Param('key') key: string, @Req() req: Request): Promise<Record<string, never>> {
    await this.events.post({ agent, node, key, headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : undefined });
    return {};
  }
}
