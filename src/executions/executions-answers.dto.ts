// Request and answer shapes of the execution API for the OpenAPI document (spec: interfaces.md "Shapes");
// executions.views.ts builds the answers, executions.controller.ts parses the execute body.
import { ANY_OBJECT, apiSchema, nullable, pageOf, TIME, type SchemaObject } from '../common/api-docs.dto.js';

const STATUS: SchemaObject = { type: 'string', example: 'COMPLETED', description: 'QUEUED, RUNNING, COMPLETED, FAILED or CANCELLED.' };
const OUTPUTS: SchemaObject = { type: 'object', additionalProperties: { type: 'array', items: {} }, description: 'Output name -> every value it received.' };
const NODE_ERROR: SchemaObject = nullable({
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: "The block's own code (HTTP_STATUS, LLM_AUTH_FAILED, ...), NODE_FAILED when it gave none, or a platform code." },
    message: { type: 'string' },
    node_id: nullable({ type: 'string' }),
    details: { type: 'object', additionalProperties: true, description: 'What the block said beside the message, for example {status}.' },
    transient: { type: 'boolean', description: 'Set when the block marked the failure transient (a retry may help) or permanent.' },
  },
  additionalProperties: true,
});

export const NODE_EXECUTION = apiSchema('NodeExecution', {
  type: 'object',
  required: ['id', 'execution_id', 'node_id', 'block', 'status', 'inputs', 'outputs', 'error', 'cost', 'attempts'],
  properties: {
    id: { type: 'string' },
    execution_id: { type: 'string' },
    node_id: { type: 'string' },
    block: { type: 'string', example: 'text.template' },
    status: { type: 'string' },
    inputs: ANY_OBJECT,
    outputs: { type: 'object', additionalProperties: { type: 'array', items: {} }, description: 'Pin -> every value yielded on it.' },
    error: NODE_ERROR,
    cost: { type: 'integer' },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['attempt', 'started_at'],
        properties: { attempt: { type: 'integer' }, started_at: TIME, ended_at: nullable(TIME), error: NODE_ERROR },
      },
    },
    started_at: nullable(TIME),
    ended_at: nullable(TIME),
    reused: { type: 'boolean', description: 'On a retry from the failure: copied from the retried execution (its inputs and outputs), not run, not charged.' },
    ai_agent: {
      type: 'object',
      description:
        'ai.agent nodes, in the execution detail: the stored conversation so far (also while running, or after a failure). ' +
        'steps: [{step, tool, arguments, result | error, usage, cost, model_cost, truncated?, rerun?}]: `cost` is the credits of that tool call ' +
        '(a block tool its block cost; an agent tool 0, its child execution pays), `model_cost` of the model call `step` that asked for it.',
      required: ['steps', 'usage', 'model_calls', 'tool_calls', 'cost'],
      properties: {
        steps: { type: 'array', items: ANY_OBJECT },
        usage: { type: 'object', properties: { input_tokens: { type: 'integer' }, output_tokens: { type: 'integer' } } },
        model_calls: { type: 'integer' },
        tool_calls: { type: 'integer' },
        cost: { type: 'integer', description: 'Credits of its model calls and block tool runs so far (0 with credits off).' },
      },
    },
  },
});

const EXECUTION_PROPERTIES: Record<string, SchemaObject> = {
  id: { type: 'string' },
  graph_id: { type: 'string', example: 'hello-world' },
  graph_version: { type: 'integer' },
  status: STATUS,
  source: { type: 'string', description: 'api, webhook, github, schedule, rerun, retry, agent or cli.', example: 'api' },
  retry_of: { type: 'string', description: 'On a retry from the failure (source retry): the execution it retries.' },
  trigger_node: nullable({ type: 'string' }),
  user_id: { type: 'string' },
  parent_id: nullable({ type: 'string' }),
  inputs: ANY_OBJECT,
  outputs: nullable(OUTPUTS),
  error: NODE_ERROR,
  cost: { type: 'integer', description: 'Credits spent.' },
  created_at: TIME,
  started_at: nullable(TIME),
  ended_at: nullable(TIME),
};
const EXECUTION_REQUIRED = ['id', 'graph_id', 'graph_version', 'status', 'source', 'user_id', 'inputs', 'outputs', 'error', 'cost', 'created_at'];

export const EXECUTION = apiSchema('Execution', { type: 'object', required: EXECUTION_REQUIRED, properties: EXECUTION_PROPERTIES });

/** POST /api/executions/{id}/retry: the new execution, and the nodes whose outside effect the retry may repeat. */
export const RETRY_ANSWER = apiSchema('RetryAnswer', {
  type: 'object',
  required: [...EXECUTION_REQUIRED, 'rerun_side_effects'],
  properties: {
    ...EXECUTION_PROPERTIES,
    rerun_side_effects: {
      type: 'array',
      description:
        'Nodes of blocks with outside effects (http.request, slack.post, email.send, changing integration operations...) that were stopped mid-attempt (RUNNING when the original ended) and that the retry runs again: their effect (a request, a message, a payment) may have happened already and may happen twice. Empty when none.',
      items: {
        type: 'object',
        required: ['node_id', 'block', 'node_execution_id'],
        properties: {
          node_id: { type: 'string', example: 'notify' },
          block: { type: 'string', example: 'slack.post' },
          node_execution_id: { type: 'string', description: "The original's node execution that was stopped." },
          execution_id: {
            type: 'string',
            description: 'For a node of a failed child execution (agent.run, an agent tool): that child, which the retry retries.',
          },
          agent: { type: 'string', description: "For a node of a child execution: the child's agent.", example: 'notifier' },
        },
      },
    },
  },
});

export const EXECUTION_PAGE = apiSchema('ExecutionPage', pageOf(EXECUTION));

export const EXECUTION_DETAIL = apiSchema('ExecutionDetail', {
  type: 'object',
  required: [...EXECUTION_REQUIRED, 'node_executions'],
  properties: { ...EXECUTION_PROPERTIES, node_executions: { type: 'array', items: NODE_EXECUTION, description: 'The first 1,000.' } },
});

export const NODE_EXECUTION_PAGE = apiSchema('NodeExecutionPage', pageOf(NODE_EXECUTION));

export const EXECUTION_RESULTS = apiSchema('ExecutionResults', {
  type: 'object',
  required: ['status', 'outputs'],
  properties: { status: STATUS, outputs: OUTPUTS },
  example: { status: 'COMPLETED', outputs: { greeting: ['Hello, Ada!'] } },
});

/** `?wait=` when the execution ended in time: 200 with the result. */
export const EXECUTION_FINISHED = apiSchema('ExecutionFinished', {
  type: 'object',
  required: ['execution_id', 'status', 'outputs', 'error'],
  properties: { execution_id: { type: 'string' }, status: STATUS, outputs: nullable(OUTPUTS), error: NODE_ERROR },
  example: { execution_id: '0192...', status: 'COMPLETED', outputs: { greeting: ['Hello, Ada!'] }, error: null },
});

/** 202: the execution as created (QUEUED), or still running after `?wait=` (with execution_id too). */
export const EXECUTION_ACCEPTED = apiSchema('ExecutionAccepted', {
  type: 'object',
  required: EXECUTION_REQUIRED,
  properties: { execution_id: { type: 'string', description: 'Present when ?wait= ran out.' }, ...EXECUTION_PROPERTIES },
});

export const EXECUTE_BODY = apiSchema('ExecuteBody', {
  type: 'object',
  additionalProperties: false,
  properties: {
    inputs: { type: 'object', additionalProperties: true, description: 'Input name -> value.', example: { who: 'Ada' } },
    credentials: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
      description: 'Node id -> {credential field: credential name}.',
      example: { ask: { openai: 'team-openai' } },
    },
    preset_id: { type: 'string', description: 'A saved preset of this graph: its inputs and credentials, under the ones given here.' },
    trigger: {
      type: 'object',
      required: ['node', 'outputs'],
      properties: { node: { type: 'string' }, outputs: ANY_OBJECT },
      description: 'Seed a trigger node by hand (file agents: admins only).',
    },
  },
});

export const WAIT_QUERY = {
  name: 'wait',
  required: false,
  description: 'Wait up to this long (at most 60s) for the end: 500ms, 5s, 30s, or whole seconds. 200 with the result when it ends in time, else 202.',
  schema: { type: 'string', example: '5s' },
} as const;

export const RETRY_BODY = apiSchema('RetryBody', {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: {
      type: 'string',
      enum: ['same', 'latest'],
      default: 'same',
      description:
        "same: the retried execution's version. latest: the agent's active version; a node is reused only if it and every node upstream of it are unchanged.",
    },
  },
});
