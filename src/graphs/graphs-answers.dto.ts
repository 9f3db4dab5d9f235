// Answer shapes of /api/graphs for the OpenAPI document (spec: interfaces.md "Shapes"); graph.view.ts builds them.
import { ANY_OBJECT, apiSchema, nullable, pageOf, TIME, type SchemaObject } from '../common/api-docs.dto.js';

/** "a.out -> b.in", or a static link {from, to, static: true}. */
const LINK: SchemaObject = {
  oneOf: [
    { type: 'string' },
    { type: 'object', required: ['from', 'to', 'static'], properties: { from: { type: 'string' }, to: { type: 'string' }, static: { type: 'boolean' } } },
  ],
};

export const GRAPH = apiSchema('Graph', {
  type: 'object',
  description: 'One version of a graph in the agent format, with where it came from.',
  required: ['id', 'source', 'active', 'version', 'active_version', 'versions', 'hash', 'nodes', 'links', 'triggers', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', description: 'The agent name.', example: 'hello-world' },
    description: nullable({ type: 'string' }),
    source: { type: 'string', enum: ['file', 'api'] },
    active: { type: 'boolean' },
    version: { type: 'integer', description: 'The version shown (the active one unless ?version=N).' },
    active_version: { type: 'integer' },
    pinned_version: nullable({ type: 'integer' }),
    versions: { type: 'integer', description: 'How many versions exist.' },
    file: nullable({ type: 'string', description: 'The agent file, for graphs from files.' }),
    commit: nullable({ type: 'string' }),
    hash: { type: 'string', description: "Content hash of the version's canonical form." },
    owner: nullable({ type: 'string', description: 'Handle of the user billed for trigger runs.' }),
    concurrency: { type: 'integer' },
    timeout: { type: 'string', example: '10m' },
    max_parallel: { type: 'integer' },
    notify: ANY_OBJECT,
    nodes: { type: 'object', additionalProperties: ANY_OBJECT, description: 'Node id -> {block, inputs, credentials, retry?, timeout?}.' },
    links: { type: 'array', items: LINK, example: ['who.value -> greet.values.who'] },
    triggers: {
      type: 'array',
      items: { type: 'object', required: ['node', 'block'], properties: { node: { type: 'string' }, block: { type: 'string' } }, additionalProperties: true },
    },
    tests: { type: 'array', items: ANY_OBJECT },
    created_at: TIME,
    updated_at: TIME,
  },
});

export const GRAPH_PAGE = apiSchema('GraphPage', pageOf(GRAPH));

export const GRAPH_VERSION = apiSchema('GraphVersion', {
  type: 'object',
  required: ['version', 'hash', 'active', 'pinned', 'created_at'],
  properties: {
    version: { type: 'integer' },
    hash: { type: 'string' },
    file: nullable({ type: 'string' }),
    commit: nullable({ type: 'string' }),
    created_by: nullable({ type: 'string', description: 'Handle of the user who made it through the API; null for versions from files.' }),
    active: { type: 'boolean' },
    pinned: { type: 'boolean' },
    created_at: TIME,
  },
});

export const GRAPH_VERSION_PAGE = apiSchema('GraphVersionPage', pageOf(GRAPH_VERSION));

export const PRESET = apiSchema('Preset', {
  type: 'object',
  required: ['id', 'graph_id', 'name', 'inputs', 'credentials', 'created_at'],
  properties: {
    id: { type: 'string' },
    graph_id: { type: 'string' },
    name: { type: 'string' },
    description: nullable({ type: 'string' }),
    inputs: ANY_OBJECT,
    credentials: ANY_OBJECT,
    created_at: TIME,
    updated_at: TIME,
  },
});

export const PRESET_PAGE = apiSchema('PresetPage', pageOf(PRESET));

/** A graph's body in the agent format (the YAML of an agent file, as JSON). */
export const GRAPH_BODY = apiSchema('GraphBody', {
  type: 'object',
  required: ['name', 'nodes'],
  additionalProperties: true,
  description: 'An agent in the agent format (docs/agent-format.md), as JSON.',
  properties: {
    name: { type: 'string', example: 'hello-world' },
    description: { type: 'string' },
    nodes: { type: 'object', additionalProperties: ANY_OBJECT },
    links: { type: 'array', items: LINK },
  },
  example: {
    name: 'greeter',
    nodes: {
      who: { block: 'input', inputs: { name: 'who', type: 'string' } },
      greet: { block: 'text.template', inputs: { template: 'Hello, {{ who }}!' } },
      greeting: { block: 'output', inputs: { name: 'greeting' } },
    },
    links: ['who.value -> greet.values.who', 'greet.text -> greeting.value'],
  },
});

const NODE_COST: SchemaObject = {
  type: 'object',
  required: ['block', 'credits', 'attempts', 'runs', 'min', 'max'],
  properties: {
    block: { type: 'string' },
    credits: { type: 'integer', description: 'Credits of one attempt (config/costs.yaml; by model for LLM blocks).' },
    attempts: { type: 'integer', description: 'Attempts per run: retry.attempts, else 1.' },
    runs: {
      type: 'object',
      required: ['min', 'max'],
      properties: { min: { type: 'integer' }, max: nullable({ type: 'integer', description: 'null: as many times as a fan-out or a loop makes it run.' }) },
    },
    min: { type: 'integer' },
    max: nullable({ type: 'integer' }),
    calls: {
      type: 'object',
      description:
        'ai.agent (pays per call): min is one model call; max is max_steps model calls plus max_tool_calls calls of the dearest block tool (retries continue the conversation: they add nothing). Agent tools pay through their child executions, not counted here.',
      required: ['model_calls', 'tool_calls', 'tool_credits', 'agent_tools'],
      properties: {
        model_calls: { type: 'object', required: ['min', 'max'], properties: { min: { type: 'integer' }, max: { type: 'integer', description: 'max_steps' } } },
        tool_calls: { type: 'object', required: ['max'], properties: { max: { type: 'integer', description: 'max_tool_calls; 0 without block tools' } } },
        tool_credits: { type: 'integer', description: 'Credits of one call of the dearest block tool (0 without block tools).' },
        agent_tools: { type: 'array', items: { type: 'string' }, description: 'Agents its agent tools run (their credits are not in this estimate).' },
      },
    },
  },
};

export const GRAPH_ANALYSIS = apiSchema('GraphAnalysis', {
  type: 'object',
  description: 'The static analysis of one version of a graph (the same as `trellis analyze`).',
  required: ['agent', 'version', 'nodes', 'links', 'max_depth', 'parallel_branches', 'critical_path', 'cost', 'suggestions'],
  properties: {
    agent: { type: 'string', example: 'daily-digest' },
    version: { type: 'integer', description: 'The version analysed (the active one unless ?version=N).' },
    nodes: { type: 'integer' },
    links: { type: 'integer' },
    max_depth: { type: 'integer', description: 'Nodes on the longest chain of links (links that close a loop left out).' },
    parallel_branches: { type: 'integer', description: 'The most nodes at one depth: how many may run side by side.' },
    critical_path: {
      type: 'array',
      items: { type: 'string' },
      description: 'The longest chain, node by node.',
      example: ['every_morning', 'fetch', 'summary', 'post'],
    },
    cost: {
      type: 'object',
      required: ['min', 'max', 'step_bounded', 'per_node'],
      properties: {
        min: { type: 'integer', description: 'Credits of the cheapest successful execution (an ai.agent: one model call).' },
        max: nullable({
          type: 'integer',
          description:
            'Credits of the dearest one (every retry; an ai.agent: every max_steps model call and max_tool_calls tool call); null when a fan-out or a loop makes it unbounded.',
        }),
        step_bounded: {
          type: 'array',
          items: { type: 'string' },
          description: 'ai.agent nodes whose max_steps and max_tool_calls bound their part of max: a limit, not what a run usually spends.',
        },
        per_node: { type: 'object', additionalProperties: NODE_COST },
      },
    },
    suggestions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'node', 'message'],
        properties: {
          kind: { type: 'string', enum: ['use-expression', 'use-vars', 'cost-per-item', 'unused-node', 'sub-agent-cost'] },
          node: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
});
