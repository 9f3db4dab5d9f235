// POST (or the node's methods) /webhooks/{agent}/{node}: public, outside /api. Thin: the request's parts
// go to WebhooksService; its answer is sent as is. The raw body comes from the parser mounted in bootstrap.
// Requests reach it only when webhook-route.ts passes them on: that handler answers the rest first.
import { All, Controller, Param, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeaders, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { WEBHOOK_METHODS } from '../../blocks/library/trigger/trigger.webhook.js';
import { ApiAnswers, ApiAnyMethod, ApiError } from '../../common/api-docs.dto.js';
import { SIGNATURE_HEADERS, WEBHOOK_ACCEPTED, WEBHOOK_FINISHED } from './webhooks-answers.dto.js';
import type { Request, Response } from 'express';
import { sendAnswer } from './webhook-answer.js';
import { sourceAddress, webhookRequest } from './webhook-route.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @All(':agent/:node')
  @ApiAnyMethod(WEBHOOK_METHODS)
  @ApiOperation({
    summary: 'Start an execution of an agent from its trigger.webhook node (202 {execution_id}; ?wait= up to 60 s)',
    description:
      "Unauthenticated: a node with a `secret` credential requires the X-Trellis-Timestamp and X-Trellis-Signature-256 headers. POST by default; GET, PUT, PATCH and DELETE when the node's `methods` lists them (x-trellis-methods). The body is the trigger's `body` output (JSON, or the text when it is not JSON). With ?wait=, an execution that completes in time with a value on its http_response output answers with that value instead ({status, headers, body}, any status from 200 to 599). A node with `respond: by_output` holds the request until the first value reaches http_response and answers with it while the execution goes on (at most webhooks.max_wait, or ?wait=).",
  })
  @ApiHeaders(SIGNATURE_HEADERS)
  @ApiQuery({ name: 'wait', required: false, description: 'Wait up to this long (at most 60s) for the end.', schema: { type: 'string', example: '5s' } })
  @ApiBody({ required: false, schema: { description: 'Any JSON, form or text body: the trigger yields it on `body`.' } })
  @ApiAnswers(
    [
      { status: 202, schema: WEBHOOK_ACCEPTED, description: 'Accepted: the execution was created' },
      { status: 200, schema: WEBHOOK_FINISHED, description: 'With ?wait=, ended in time; or an Idempotency-Key replay (the first answer)' },
    ],
    400,
    401,
    404,
    409,
    413,
    429,
  )
  @ApiError(405, 'METHOD_NOT_ALLOWED: the node does not accept this method (Allow lists those it does)')
  @ApiResponse({
    status: 'default',
    description: "With ?wait=: the value of the agent's http_response output, when it has one (its status, headers and body)",
    content: { '*/*': { schema: { description: 'Whatever the agent answers' } } },
  })
  async receive(@Param('agent') agent: string, @Param('node') node: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const answer = await this.webhooks.receive(webhookRequest(req, agent, node, req.query, () => sourceAddress(req)));
    sendAnswer(res, answer);
  }
}
