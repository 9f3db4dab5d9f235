// /api/blocks: the catalogue, one block, and running one block on request.
//
// POST /api/blocks/{id}/execute answers 200 {outputs: [{pin, value}...]} (every yield, in order), or:
//   400 VALIDATION_FAILED (the body), INVALID_INPUT (a pin: details.problems name each), CREDENTIAL_UNRESOLVED,
//   404 NOT_FOUND (no such block, or an integration block its `allow` does not admit the caller to; details.suggestions),
//   422 the block's own failure, with its code (TEMPLATE_ERROR, DIVISION_BY_ZERO, CODE_ERROR, NEEDS_ENGINE...),
//   499 CANCELLED (the client went away; seen in logs only), 500 INVALID_OUTPUT (a bug in the block),
//   504 NODE_TIMEOUT (longer than executor.node_timeout).
import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import type { Response } from 'express';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { BlockListAnswer, BlockView, ExecuteBlockAnswer, ExecuteBlockDto } from './blocks.dto.js';
import { BlocksService, type ExecuteBlockResult } from './blocks.service.js';

/** Who asks, for an integration's `allow` (the user's handle and role, as for operator credentials). */
function askerOf(principal: Principal) {
  return { userId: principal.user.id, handle: principal.user.handle, role: principal.user.role };
}

@ApiTags('blocks')
@ApiAuthenticated()
@ApiError(403)
@Controller('api/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Get()
  @RequireScopes('graphs:read')
  @ApiOperation({
    summary: 'Every block you may use: id, description, category, input/output JSON Schemas, credentials, cost, pin modes',
    description: "An integration's blocks are listed only for the users its `allow` admits (by default admins).",
  })
  @ApiOkResponse({ type: BlockListAnswer })
  list(@CurrentPrincipal() principal: Principal): BlockListAnswer {
    return { items: this.blocks.list(askerOf(principal)), next_cursor: null };
  }

  @Get(':block_id')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'One block' })
  @ApiParam({ name: 'block_id', example: 'text.template' })
  @ApiOkResponse({ type: BlockView })
  @ApiError(404, 'NOT_FOUND: no such block (details.suggestions lists close ids)')
  get(@Param('block_id') id: string, @CurrentPrincipal() principal: Principal): BlockView {
    return this.blocks.describe(id, askerOf(principal));
  }

  @Post(':block_id/execute')
  @HttpCode(200)
  @RequireScopes('executions:run')
  @ApiOperation({ summary: 'Run one block with {inputs, credentials?}; answers every yielded (pin, value)' })
  @ApiParam({ name: 'block_id', example: 'text.template' })
  @ApiOkResponse({ type: ExecuteBlockAnswer })
  @ApiError(400, 'VALIDATION_FAILED (body), INVALID_INPUT (details.problems name the pins) or CREDENTIAL_UNRESOLVED')
  @ApiError(402)
  @ApiError(404, 'NOT_FOUND: no such block')
  @ApiError(422, "The block failed: the block's error code and message (TEMPLATE_ERROR, CODE_ERROR, NEEDS_ENGINE...)")
  @ApiError(500, 'INVALID_OUTPUT: the block yielded something its schema refuses (a bug)')
  @ApiError(504, 'NODE_TIMEOUT: the block ran longer than executor.node_timeout')
  async execute(
    @Param('block_id') id: string,
    @Body() body: ExecuteBlockDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ExecuteBlockResult> {
    // A caller that goes away stops the block (CANCELLED), whatever it is doing.
    const controller = new AbortController();
    const onClose = () => {
      if (!response.writableEnded) controller.abort(new Error('the client closed the connection'));
    };
    response.once('close', onClose);
    try {
      return await this.blocks.execute(id, { inputs: body.inputs ?? {}, credentials: body.credentials ?? {} }, askerOf(principal), controller.signal);
    } finally {
      response.off('close', onClose);
    }
  }
}
