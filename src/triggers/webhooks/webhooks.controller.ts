// POST (or the node's methods) /webhooks/{agent}/{node}: public, outside /api. Thin: the request's parts
// go to WebhooksService; its answer is sent as is. The raw body comes from the parser mounted in bootstrap.
import { All, Controller, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { sendAnswer } from './webhook-answer.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @All(':agent/:node')
  @ApiOperation({ summary: 'Start an execution of an agent from its trigger.webhook node (202 {execution_id}; ?wait= up to 60 s)' })
  async receive(@Param('agent') agent: string, @Param('node') node: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { wait, ...query } = req.query as Record<string, unknown>;
    const answer = await this.webhooks.receive({
      agent,
      node,
      method: req.method,
      headers: req.headers,
      query,
      rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
      address: req.ip ?? req.socket.remoteAddress ?? 'unknown',
      wait: typeof wait === 'string' ? wait : undefined,
    });
    sendAnswer(res, answer);
  }
}
