// Answer shapes of /api/agents (plan, sync, validate) for the OpenAPI document.
import { ANY_OBJECT, apiSchema, nullable, type SchemaObject } from '../common/api-docs.dto.js';
import { PLAN_ACTIONS } from './agents-plan.js';
import { INTEGRATION_ACTIONS } from './agents-integrations.js';

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

const CREDIT_RANGE: SchemaObject = {
  type: 'object',
  required: ['min', 'max'],
  properties: {
    min: { type: 'integer' },
    max: nullable({ type: 'integer' }),
    step_bounded: {
      type: 'boolean',
      description: "Present (true) when an ai.agent's max_steps and max_tool_calls set part of max: a limit, far above what a run usually spends.",
    },
  },
};

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
  integrations: {
    type: 'array',
    description: 'The OpenAPI integrations of the integrations folder against their recorded versions.',
    items: {
      type: 'object',
      required: ['name', 'action', 'operations', 'problems'],
      properties: {
        name: { type: 'string' },
        action: { type: 'string', enum: [...INTEGRATION_ACTIONS] },
        file: nullable({ type: 'string' }),
        version: nullable({ type: 'integer' }),
        previous_version: nullable({ type: 'integer' }),
        operations: {
          type: 'object',
          description: 'Block ids added, changed and removed against the newest recorded version.',
          properties: { added: { type: 'array', items: { type: 'string' } }, changed: { type: 'array', items: { type: 'string' } }, removed: { type: 'array', items: { type: 'string' } } },
        },
        notes: { type: 'array', items: { type: 'string' } },
        problems: { type: 'array', items: PROBLEM },
      },
    },
  },
};
const PLAN_REQUIRED = ['folder', 'commit', 'blocked', 'summary', 'agents', 'integrations'];

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

const SYNC_RUN: SchemaObject = {
  type: 'object',
  required: ['id', 'commit', 'trigger', 'synced_by', 'status', 'reason', 'summary', 'files', 'synced_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    commit: nullable({ type: 'string', example: '9fceb02d0ae598e95dc970b74767f19372d61af8' }),
    trigger: { type: 'string', enum: ['start', 'api', 'cli', 'push'] },
    synced_by: { type: 'string', example: 'api-1 pid 4242 (push)' },
    status: { type: 'string', enum: ['applied', 'skipped'] },
    reason: nullable({ type: 'string', description: 'Why a skipped sync wrote nothing.', example: null }),
    summary: { type: 'object', properties: Object.fromEntries(PLAN_ACTIONS.map((action) => [action, { type: 'integer' }])) },
    files: {
      type: 'array',
      description: 'The files that had problems in this sync (an invalid one was skipped, its last good version kept).',
      items: {
        type: 'object',
        required: ['file', 'agent', 'action', 'problems'],
        properties: { file: nullable({ type: 'string', example: 'nightly.yaml' }), agent: { type: 'string', example: 'nightly' }, action: { type: 'string', enum: [...PLAN_ACTIONS] }, problems: { type: 'array', items: PROBLEM } },
      },
    },
    synced_at: { type: 'string', format: 'date-time' },
  },
};

export const SYNC_HISTORY = apiSchema('AgentsSyncHistory', {
  type: 'object',
  required: ['folder', 'last', 'runs', 'files'],
  properties: {
    folder: { type: 'string', example: 'acme/agents#agents', description: 'Which folder: repository#folder, or default for a plain local folder.' },
    last: nullable({ ...SYNC_RUN, description: 'The newest sync (runs[0]), or null before the first.' }),
    runs: { type: 'array', items: SYNC_RUN, description: 'The newest syncs first, applied or skipped.' },
    files: {
      type: 'array',
      description: 'The last result of every agent file in an applied sync, by path (a deleted file keeps its last one: remove).',
      items: {
        type: 'object',
        required: ['file', 'agent', 'action', 'problems', 'commit', 'run_id', 'synced_at'],
        properties: {
          file: { type: 'string', example: 'nightly.yaml' },
          agent: { type: 'string', example: 'nightly' },
          action: { type: 'string', enum: [...PLAN_ACTIONS] },
          problems: { type: 'array', items: PROBLEM },
          commit: nullable({ type: 'string', example: '9fceb02d0ae598e95dc970b74767f19372d61af8' }),
          run_id: { type: 'string', format: 'uuid' },
          synced_at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
});
