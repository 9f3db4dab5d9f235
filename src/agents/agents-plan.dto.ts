// Queries and bodies of /api/agents: plan and sync output formats, and the file text to validate.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { validationFailed, type Problem } from '../common/errors.js';
import { isDict } from '../agent-format/agent.fields.js';
import { PLAN_FORMATS, type PlanFormat } from './agents-plan.js';

export { PLAN_FORMATS, type PlanFormat } from './agents-plan.js';

export class PlanQuery {
  @ApiPropertyOptional({ enum: PLAN_FORMATS, default: 'json', description: 'markdown: the text a reviewer reads in a pull-request comment' })
  @IsOptional()
  @IsIn(PLAN_FORMATS, { message: `expected one of ${PLAN_FORMATS.join(', ')}` })
  format?: PlanFormat;
}

/** `GET /api/agents/sync?limit=`: how many of the newest syncs to list. */
export class SyncHistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'How many of the newest syncs to list' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'expected a whole number from 1 to 100' })
  @Min(1, { message: 'expected a whole number from 1 to 100' })
  @Max(100, { message: 'expected a whole number from 1 to 100' })
  limit?: number;
}

export interface ValidateRequest {
  text: string;
  path?: string;
}

const AGENT_FILE = /\.ya?ml$/i;

/** `{text, path?}` from a JSON body: every problem at once, each with its JSON Pointer. */
export function validateRequestFromJson(body: unknown): ValidateRequest {
  if (!isDict(body)) throw validationFailed([{ pointer: '', message: 'expected {"text": "<the agent file>", "path": "agents/<name>.yaml"} or the file itself as text/plain' }]);
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) if (key !== 'text' && key !== 'path') problems.push({ pointer: `/${key}`, message: `unknown field "${key}": send text and, optionally, path` });
  if (typeof body.text !== 'string') problems.push({ pointer: '/text', message: "expected the agent file's text (YAML) as a string" });
  if (body.path !== undefined && (typeof body.path !== 'string' || !AGENT_FILE.test(body.path))) {
    problems.push({ pointer: '/path', message: 'expected the file\'s path, ending in .yaml or .yml (like "agents/pr-size-labeler.yaml"); its name must equal the agent\'s' });
  }
  if (problems.length) throw validationFailed(problems);
  return { text: body.text as string, ...(typeof body.path === 'string' ? { path: body.path } : {}) };
}
