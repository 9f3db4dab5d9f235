// Answer shapes of /api/agents (plan, sync, validate) for the OpenAPI document.
import { ANY_OBJECT, apiSchema, nullable, type SchemaObject } from '../common/api-docs.dto.js';
import { PLAN_ACTIONS } from './agents-plan.js';

const PROBLEM: SchemaObject = {
  type: 'object',
  required: ['message'],
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    pointer: { type: 'string', example: '/nodes/greet/inputs/template' },
    node: { type: 'string' },
    pin: { type: 'string' },
    severity: { type: 'string', enum: ['error', 'warning'] },
    message: { type: 'string' },
  },
};

const CREDIT_RANGE: SchemaObject = { type: 'object', required: ['min', 'max'], properties: { min: { type: 'integer' }, max: nullable({ type: 'integer' }) } };

const PLAN_PROPERTIES: Record<string, SchemaObject> = {
  folder: { type: 'string' },
  commit: nullable({ type: 'string' }),
  blocked: nullable({ type: 'string', description: 'Why a sync would not apply this plan, else null.' }),
  summary: { type: 'object', properties: Object.fromEntries(PLAN_ACTIONS.map((action) => [action, { type: 'integer' }])) },
  agents: {
    type: 'array',
    items: {
      type: 'object',
      required: ['name', 'action', 'problems'],
      properties: {
        name: { type: 'string' },
        action: { type: 'string', enum: [...PLAN_ACTIONS] },
        file: nullable({ type: 'string' }),
        version: nullable({ type: 'integer' }),
        previous_version: nullable({ type: 'integer' }),
        active_version: nullable({ type: 'integer' }),
        pinned_version: nullable({ type: 'integer' }),
        hash: nullable({ type: 'string' }),
        notes: { type: 'array', items: { type: 'string' } },
        changes: nullable(ANY_OBJECT),
        problems: { type: 'array', items: PROBLEM },
        cost: {
          type: 'object',
          description: 'Created, updated and pinned agents with a new version: credits per run, before (null for a new agent) and after; max null when unbounded.',
          required: ['before', 'after'],
          properties: { before: nullable(CREDIT_RANGE), after: CREDIT_RANGE },
        },
      },
    },
  },
};
const PLAN_REQUIRED = ['folder', 'commit', 'blocked', 'summary', 'agents'];

export const AGENTS_PLAN = apiSchema('AgentsPlan', { type: 'object', required: PLAN_REQUIRED, properties: PLAN_PROPERTIES });

export const SYNC_RESULT = apiSchema('SyncResult', {
  type: 'object',
  required: [...PLAN_REQUIRED, 'status', 'reason'],
  properties: { ...PLAN_PROPERTIES, status: { type: 'string', enum: ['applied', 'skipped'] }, reason: nullable({ type: 'string' }) },
});

export const FILE_VALIDATION = apiSchema('FileValidation', {
  type: 'object',
  required: ['ok', 'errors', 'warnings', 'problems'],
  properties: {
    ok: { type: 'boolean' },
    file: nullable({ type: 'string' }),
    name: nullable({ type: 'string' }),
    hash: nullable({ type: 'string', description: 'The content hash a sync would record (valid files only).' }),
    errors: { type: 'integer' },
    warnings: { type: 'integer' },
    problems: { type: 'array', items: PROBLEM },
  },
});
