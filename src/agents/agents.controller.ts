import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError, type Answer, type AnswerSchema } from '../common/api-docs.dto.js';
import { AGENTS_PLAN, FILE_VALIDATION, SYNC_HISTORY, SYNC_RESULT } from './agents-answers.dto.js';
import type { Request, Response } from 'express';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { callerOf } from '../graphs/graph-access.js';
import { AppError, validationFailed } from '../common/errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { PlanQuery, SyncHistoryQuery, validateRequestFromJson, type ValidateRequest } from './agents-plan.dto.js';
import { renderPlanMarkdown } from './agents-plan.render.js';
import { AgentsPlanService, type FileValidation } from './agents-plan.service.js';
import type { AgentsPlan } from './agents-plan.js';
import { AgentsSyncService, type SyncHistory, type SyncResult } from './agents-sync.service.js';

/** A 200 answer as JSON (`schema`), or as Markdown text with ?format=markdown (PlanQuery). */
const orMarkdown = (schema: AnswerSchema, description: string): Answer[] => [
  { status: 200, schema, description },
  { status: 200, schema: { type: 'string' }, contentType: 'text/markdown', description: 'With ?format=markdown' },
];

@ApiTags('agents')
@ApiAuthenticated()
@ApiError(403)
@Controller('api/agents')
export class AgentsController {
  constructor(
    private readonly plans: AgentsPlanService,
    private readonly syncs: AgentsSyncService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('sync')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Sync the agents folder into the database now; answers the applied plan (?format=markdown for text)' })
  @ApiAnswers(orMarkdown(SYNC_RESULT, 'The applied plan'), 400)
  async sync(@Query() query: PlanQuery, @Res({ passthrough: true }) response: Response): Promise<SyncResult | string> {
    const result = await this.syncs.sync({ trigger: 'api' });
    return this.answer(result, query, response);
  }

  @Get('sync')
  @RequireScopes('graphs:read')
  @ApiOperation({
    summary: 'The history of syncs (start-up, API, CLI, GitOps push), newest first, with the files each skipped, and the last result of every agent file',
  })
  @ApiAnswers({ status: 200, schema: SYNC_HISTORY, description: 'The newest syncs and the last result per file' }, 400)
  syncHistory(@Query() query: SyncHistoryQuery): Promise<SyncHistory> {
    return this.syncs.syncHistory(query.limit ?? 20);
  }

  @Get('plan')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'What a sync would do, agent by agent, without doing it (?format=markdown for a pull-request comment)' })
  @ApiAnswers(orMarkdown(AGENTS_PLAN, 'The plan'), 400)
  async plan(@Query() query: PlanQuery, @Res({ passthrough: true }) response: Response): Promise<AgentsPlan | string> {
    return this.answer(await this.plans.plan(), query, response);
  }

  @Post('validate')
  @HttpCode(200)
  @RequireScopes('graphs:read')
  @ApiConsumes('text/plain', 'application/yaml', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'string', description: 'The YAML of one agent file' },
        { type: 'object', required: ['text'], properties: { text: { type: 'string' }, path: { type: 'string' } } },
      ],
    },
  })
  @ApiAnswers({ status: 200, schema: FILE_VALIDATION, description: 'Its problems (ok: false when any is an error)' }, 400, 413)
  @ApiOperation({ summary: "Check one agent file's text (text/plain, or JSON {text, path?}); answers its problems with line and column" })
  async validate(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Body() body: unknown): Promise<FileValidation> {
    const input: ValidateRequest = request.is('application/json') ? validateRequestFromJson(body) : { text: await this.readText(request, body) };
    if (!input.text.trim()) throw validationFailed([{ pointer: '/text', message: "the agent file's text is empty: send the YAML of one agent" }]);
    return this.plans.validateFile(input.text, callerOf(principal), input.path);
  }

  private answer<T extends AgentsPlan>(plan: T, query: PlanQuery, response: Response): T | string {
    if (query.format !== 'markdown') return plan;
    response.type('text/markdown; charset=utf-8');
    return renderPlanMarkdown(plan);
  }

  /** The body as text: no parser reads text/plain or YAML, so it is read here, within the body limit. */
  private async readText(request: Request, parsed: unknown): Promise<string> {
    if (typeof parsed === 'string') return parsed;
    if (request.readableEnded) return '';
    const limit = this.config.server.body_limit;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > limit) {
        throw new AppError('PAYLOAD_TOO_LARGE', `The agent file is larger than the limit of ${limit} bytes (server.body_limit). Send a smaller file.`, {
          limit,
        });
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
