// The execution API (interfaces.md): thin; parsing and checks of the body, then ExecutionsService.
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { VersionPipe } from '../common/query-values.js';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScopes } from '../auth/auth.decorators.js';
import { ApiAnswers, ApiAuthenticated, ApiError, type Answer } from '../common/api-docs.dto.js';
import {
  EXECUTE_BODY,
  EXECUTION,
  EXECUTION_ACCEPTED,
  EXECUTION_DETAIL,
  EXECUTION_FINISHED,
  EXECUTION_PAGE,
  EXECUTION_RESULTS,
  NODE_EXECUTION_PAGE,
  RETRY_ANSWER,
  RETRY_BODY,
  WAIT_QUERY,
} from './executions-answers.dto.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { validationFailed, type Problem } from '../common/errors.js';
import { parseDuration } from '../common/units.js';
import { isFinalRunStatus } from './engine/engine.types.js';
import type { RerunSideEffect } from './engine/replay.js';
import { badWait } from './executions.errors.js';
import { ExecutionsService, type ExecuteBody } from './executions.service.js';
import { executionView, type ExecutionView } from './executions.views.js';

const MAX_WAIT_MS = 60_000;

const EXECUTE_ANSWERS: Answer[] = [
  { status: 202, schema: EXECUTION_ACCEPTED, description: 'The execution, QUEUED (or still running when ?wait= ran out)' },
  { status: 200, schema: EXECUTION_FINISHED, description: 'With ?wait=: the execution ended in time' },
];

@ApiTags('executions')
@ApiAuthenticated()
@ApiError(403)
@Controller('api')
export class ExecutionsController {
  constructor(private readonly executions: ExecutionsService) {}

  @Post('graphs/:id/execute')
  @RequireScopes('executions:run')
  @ApiOperation({ summary: 'Run the active version of an agent (202 with the QUEUED execution; ?wait= waits up to 60 s)' })
  @ApiBody({ schema: EXECUTE_BODY, required: false })
  @ApiQuery(WAIT_QUERY)
  @ApiAnswers(EXECUTE_ANSWERS, 400, 402, 404, 409)
  execute(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    return this.run(principal, id, undefined, body, wait, res);
  }

  @Post('graphs/:id/execute/:version')
  @RequireScopes('executions:run')
  @ApiOperation({ summary: 'Run one version of an agent' })
  @ApiBody({ schema: EXECUTE_BODY, required: false })
  @ApiQuery(WAIT_QUERY)
  @ApiAnswers(EXECUTE_ANSWERS, 400, 402, 404, 409)
  executeVersion(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('version', VersionPipe) version: number,
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    return this.run(principal, id, version, body, wait, res);
  }

  @Post('graphs/:id/executions/:exec_id/stop')
  @HttpCode(200)
  @RequireScopes('executions:run')
  @ApiOperation({ summary: 'Stop an execution (CANCELLED); a finished one is answered unchanged' })
  @ApiAnswers({ status: 200, schema: EXECUTION, description: 'The execution' }, 404)
  async stop(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Param('exec_id') execId: string): Promise<ExecutionView> {
    return executionView(await this.executions.stop(principal, id, execId));
  }

  @Get('executions')
  @RequireScopes('executions:read')
  @ApiOperation({ summary: 'Executions billed to the caller (admins: all), newest first, cursor-paginated' })
  @ApiQuery({ name: 'graph_id', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'status', required: false, schema: { type: 'string', example: 'FAILED' } })
  @ApiQuery({ name: 'source', required: false, schema: { type: 'string', example: 'webhook' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'next_cursor of the previous page' })
  @ApiAnswers({ status: 200, schema: EXECUTION_PAGE, description: 'A page of executions' }, 400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, string | undefined>) {
    const limit = query.limit !== undefined ? Number(query.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw validationFailed([{ pointer: '/limit', message: 'limit must be a whole number of at least 1' }]);
    return this.executions.list(principal, { graph_id: query.graph_id, status: query.status, source: query.source, limit, cursor: query.cursor });
  }

  @Get('executions/:id')
  @RequireScopes('executions:read')
  @ApiOperation({ summary: 'One execution with its first 1,000 node executions' })
  @ApiAnswers({ status: 200, schema: EXECUTION_DETAIL, description: 'The execution' }, 404)
  detail(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.executions.detail(principal, id);
  }

  @Get('executions/:id/nodes')
  @RequireScopes('executions:read')
  @ApiOperation({ summary: 'Node executions in creation order, cursor-paginated, ?status=' })
  @ApiQuery({ name: 'status', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  @ApiAnswers({ status: 200, schema: NODE_EXECUTION_PAGE, description: 'A page of node executions' }, 400, 404)
  nodes(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: Record<string, string | undefined>) {
    const limit = query.limit !== undefined ? Number(query.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw validationFailed([{ pointer: '/limit', message: 'limit must be a whole number of at least 1' }]);
    return this.executions.nodes(principal, id, { status: query.status, limit, cursor: query.cursor });
  }

  @Post('executions/:id/rerun')
  @HttpCode(202)
  @RequireScopes('executions:run')
  @ApiOperation({ summary: 'A new execution of the same version with the same inputs or trigger event (source rerun)' })
  @ApiAnswers({ status: 202, schema: EXECUTION, description: 'The new execution, QUEUED' }, 402, 404, 409)
  async rerun(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ExecutionView> {
    return executionView(await this.executions.rerun(principal, id));
  }

  @Post('executions/:id/retry')
  @HttpCode(202)
  @RequireScopes('executions:run')
  @ApiOperation({
    summary:
      'Retry a FAILED or CANCELLED execution from its failure: a new execution (source retry, retry_of) that reuses the completed node executions and runs only what failed or did not run',
  })
  @ApiBody({ schema: RETRY_BODY, required: false })
  @ApiAnswers(
    { status: 202, schema: RETRY_ANSWER, description: 'The new execution, QUEUED, with the nodes whose outside effect may repeat (rerun_side_effects)' },
    400,
    402,
    404,
    409,
  )
  async retry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<ExecutionView & { rerun_side_effects: RerunSideEffect[] }> {
    const { row, rerunSideEffects } = await this.executions.retry(principal, id, parseRetryBody(body));
    return { ...executionView(row), rerun_side_effects: rerunSideEffects };
  }

  @Get('executions/:id/results')
  @RequireScopes('executions:read')
  @ApiOperation({ summary: '{status, outputs: {name: [values]}}' })
  @ApiAnswers({ status: 200, schema: EXECUTION_RESULTS, description: 'Status and outputs' }, 404)
  results(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.executions.results(principal, id);
  }

  private async run(principal: Principal, id: string, version: number | undefined, raw: unknown, wait: string | undefined, res: Response): Promise<void> {
    const waitMs = wait === undefined ? null : parseWait(wait);
    const body = parseExecuteBody(raw);
    const row = await this.executions.execute(principal, id, version, body);
    if (waitMs === null) {
      res.status(202).json(executionView(row));
      return;
    }
    const after = await this.executions.waitFor(row.id, waitMs);
    const final = isFinalRunStatus(after.status);
    const view = executionView(after);
    if (final) res.status(200).json({ execution_id: after.id, status: after.status, outputs: view.outputs, error: view.error });
    else res.status(202).json({ execution_id: after.id, ...view });
  }
}

function parseWait(raw: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : parseDuration(raw);
  if (ms === null || ms < 0 || ms > MAX_WAIT_MS) throw badWait(raw);
  return ms;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The retry body: `{version?: same | latest}` (default same). */
export function parseRetryBody(raw: unknown): 'same' | 'latest' {
  const body = raw === undefined || raw === null ? {} : raw;
  if (!isObject(body)) throw validationFailed([{ pointer: '', message: 'the body must be a JSON object like {"version": "same"}' }]);
  const problems: Problem[] = Object.keys(body)
    .filter((key) => key !== 'version')
    .map((key) => ({ pointer: `/${key}`, message: `unknown field "${key}"; the only field is version ("same" or "latest")` }));
  const version = body.version ?? 'same';
  if (version !== 'same' && version !== 'latest')
    problems.push({
      pointer: '/version',
      message: `version must be "same" (the execution's version) or "latest" (the agent's active version), got ${JSON.stringify(version)}`,
    });
  if (problems.length > 0) throw validationFailed(problems);
  return version as 'same' | 'latest';
}

/** The execute body: `{inputs?, credentials?, preset_id?, trigger?: {node, outputs}}`, every problem at once. */
export function parseExecuteBody(raw: unknown): ExecuteBody {
  const problems: Problem[] = [];
  const body = raw === undefined || raw === null || (isObject(raw) && Object.keys(raw).length === 0) ? {} : raw;
  if (!isObject(body)) throw validationFailed([{ pointer: '', message: 'the body must be a JSON object like {"inputs": {...}}' }]);
  for (const key of Object.keys(body))
    if (!['inputs', 'credentials', 'preset_id', 'trigger'].includes(key))
      problems.push({ pointer: `/${key}`, message: `unknown field "${key}"; the fields are inputs, credentials, preset_id and trigger` });
  if (body.inputs !== undefined && !isObject(body.inputs)) problems.push({ pointer: '/inputs', message: 'inputs must be an object of input names and values' });
  if (
    body.credentials !== undefined &&
    (!isObject(body.credentials) || !Object.values(body.credentials).every((v) => isObject(v) && Object.values(v).every((n) => typeof n === 'string')))
  ) {
    problems.push({ pointer: '/credentials', message: 'credentials must map node ids to {field: credential name}, like {"ask": {"openai": "team-openai"}}' });
  }
  if (body.preset_id !== undefined && typeof body.preset_id !== 'string')
    problems.push({ pointer: '/preset_id', message: 'preset_id must be the id of a preset (text)' });
  if (body.trigger !== undefined && (!isObject(body.trigger) || typeof body.trigger.node !== 'string' || !isObject(body.trigger.outputs))) {
    problems.push({ pointer: '/trigger', message: 'trigger must be {"node": "<trigger node id>", "outputs": {pin: value}}' });
  }
  if (problems.length > 0) throw validationFailed(problems);
  return body as ExecuteBody;
}
