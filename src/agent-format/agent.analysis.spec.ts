// The static analysis of agents (release-2.md section 5) on the real block library: shape, runs, credits
// (min, max, unbounded), suggestions; tables of small agents.
import { describe, expect, it } from '@jest/globals';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { blockCost, BlocksRegistry } from '../blocks/blocks.registry.js';
import { analyzeAgent, type AgentAnalysis } from './agent.analysis.js';
import { parseAgentYaml } from './agent.parser.js';
import { validateAgents } from './agent.validator.js';

const blocks = new BlocksRegistry(BLOCK_LIBRARY, undefined, { compileSchemas: false });

/** Analyses `name` with nodes and links written one per line (YAML flow maps). */
function analyze(nodes: string[], links: string[], costs?: Parameters<typeof blockCost>[2]): AgentAnalysis {
  const text = ['name: subject', 'nodes:', ...nodes.map((n) => `  ${n}`), ...(links.length ? ['links:', ...links.map((l) => `  - ${l}`)] : [])].join('\n');
  const result = validateAgents([parseAgentYaml(text, 'agents/subject.yaml')], { blocks }).results[0]!;
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (!result.agent || errors.length) throw new Error(`the case does not validate: ${errors.map((p) => p.message).join('; ')}`);
  return analyzeAgent(result.agent, { blocks, costOf: (block, inputs) => blockCost(block, inputs, costs) });
}

const CRON = 'tick: { block: trigger.cron, inputs: { schedule: "0 8 * * 1" } }';
const HOOK = 'hook: { block: trigger.webhook }';
const FETCH = (retry = '') => `fetch: { block: http.request, inputs: { url: "https://api.example.com/rows" }${retry} }`;
const SLACK = 'post: { block: slack.post, credentials: { webhook: team-slack } }';
const ITEMS = 'items: { block: input, inputs: { name: items, type: array, default: [1, 2, 3] } }';
const EACH = 'each: { block: list.iterate }';

describe('the shape of an agent', () => {
  it.each([
    {
      name: 'a chain: every node one after the other',
      nodes: [
        'who: { block: input, inputs: { name: who, default: x } }',
        'greet: { block: text.template, inputs: { template: "hi {{ who }}" } }',
        'out: { block: output, inputs: { name: out } }',
      ],
      links: ['who.value -> greet.values.who', 'greet.text -> out.value'],
      expected: { nodes: 3, links: 2, max_depth: 3, parallel_branches: 1, critical_path: ['who', 'greet', 'out'] },
    },
    {
      name: 'a branch: both sides at one depth, the longer side is the critical path',
      nodes: [
        HOOK,
        'check: { block: logic.condition, inputs: { right: 1 } }',
        'yes: { block: json.query, inputs: { expression: "$" } }',
        'no: { block: json.query, inputs: { expression: "$" } }',
        'more: { block: json.query, inputs: { expression: "$" } }',
      ],
      links: ['hook.body -> check.left', 'check.yes -> yes.data', 'check.no -> no.data', 'no.result -> more.data'],
      expected: { nodes: 5, links: 4, max_depth: 4, parallel_branches: 2, critical_path: ['hook', 'check', 'no', 'more'] },
    },
    {
      name: 'a loop: the link that closes it is left out of the depth',
      nodes: [HOOK, 'again: { block: json.query, inputs: { expression: "$" } }', 'check: { block: logic.condition, inputs: { operator: ">", right: 3 } }'],
      links: ['hook.body -> again.data', 'again.result -> check.left', 'check.no -> again.data'],
      expected: { nodes: 3, links: 3, max_depth: 3, parallel_branches: 1, critical_path: ['hook', 'again', 'check'] },
    },
  ])('$name', ({ nodes, links, expected }) => {
    const analysis = analyze(nodes, links);
    expect({
      nodes: analysis.nodes,
      links: analysis.links,
      max_depth: analysis.max_depth,
      parallel_branches: analysis.parallel_branches,
      critical_path: analysis.critical_path,
    }).toEqual(expected);
  });
});

describe('credits per run', () => {
  it.each([
    {
      name: 'every node runs once: min = max = the sum of their credits',
      nodes: [CRON, FETCH(), SLACK],
      links: ['tick.payload -> fetch.query', 'fetch.body -> post.text'],
      cost: { min: 2, max: 2 },
      runs: { fetch: { min: 1, max: 1 }, post: { min: 1, max: 1 } },
    },
    {
      name: 'retries count toward the most, not the least',
      nodes: [CRON, FETCH(', retry: { attempts: 3, delay: 1s }'), SLACK],
      links: ['tick.payload -> fetch.query', 'fetch.body -> post.text'],
      cost: { min: 2, max: 4 },
      runs: { fetch: { min: 1, max: 1 } },
    },
    {
      name: 'a branch: its sides may not run',
      nodes: [HOOK, 'check: { block: logic.condition, inputs: { right: 1 } }', FETCH(), SLACK],
      links: ['hook.body -> check.left', 'check.yes -> fetch.json', 'check.no -> post.text'],
      cost: { min: 0, max: 2 },
      runs: { fetch: { min: 0, max: 1 }, post: { min: 0, max: 1 } },
    },
    {
      name: 'the error pin: its handler may not run',
      nodes: [CRON, FETCH(), SLACK],
      links: ['tick.payload -> fetch.query', 'fetch.error.message -> post.text'],
      cost: { min: 1, max: 2 },
      runs: { post: { min: 0, max: 1 } },
    },
    {
      name: 'a fan-out: a paid node per item makes the most unbounded',
      nodes: [ITEMS, EACH, FETCH(), 'all: { block: list.collect }', 'out: { block: output, inputs: { name: out } }'],
      links: ['items.value -> each.items', 'each.item -> fetch.json', 'fetch.status -> all.item', 'each.count -> all.count', 'all.items -> out.value'],
      cost: { min: 0, max: null },
      runs: { fetch: { min: 0, max: null }, all: { min: 1, max: 1 }, out: { min: 1, max: 1 } },
    },
    {
      name: 'a fan-out through free nodes only stays bounded',
      nodes: [ITEMS, EACH, 'double: { block: math.calculate, inputs: { operation: multiply, b: 2 } }', 'out: { block: output, inputs: { name: out } }'],
      links: ['items.value -> each.items', 'each.item -> double.a', 'double.result -> out.value'],
      cost: { min: 0, max: 0 },
      runs: { double: { min: 0, max: null } },
    },
    {
      name: 'a loop through a paid node is unbounded; the way in still counts once',
      nodes: [HOOK, FETCH(), 'check: { block: logic.condition, inputs: { operator: "==", right: 200 } }'],
      links: ['hook.body -> fetch.json', 'fetch.status -> check.left', 'check.no -> fetch.json'],
      cost: { min: 1, max: null },
      runs: { fetch: { min: 1, max: null } },
    },
    {
      name: 'two triggers: each run starts from one of them',
      nodes: [CRON, HOOK, FETCH(), SLACK],
      links: ['tick.payload -> fetch.query', 'hook.body -> post.text'],
      cost: { min: 1, max: 1 },
      runs: { fetch: { min: 0, max: 1 }, post: { min: 0, max: 1 }, tick: { min: 0, max: 1 } },
    },
    {
      name: 'a node nothing links into runs once, whatever starts the run',
      nodes: [FETCH(), SLACK],
      links: ['fetch.body -> post.text'],
      cost: { min: 2, max: 2 },
      runs: { fetch: { min: 1, max: 1 } },
    },
    {
      name: 'a value that waits on a static link does not multiply the runs',
      nodes: [
        ITEMS,
        EACH,
        'label: { block: input, inputs: { name: label, default: row } }',
        'tag: { block: text.template, inputs: { template: "{{ l }}" } }',
        SLACK,
      ],
      links: ['items.value -> each.items', 'each.item -> tag.values.i', 'label.value -> tag.values.l', 'tag.text -> post.text'],
      cost: { min: 0, max: null },
      runs: { tag: { min: 0, max: null }, post: { min: 0, max: null } },
    },
  ])('$name', ({ nodes, links, cost, runs }) => {
    const analysis = analyze(nodes, links);
    expect({ min: analysis.cost.min, max: analysis.cost.max }).toEqual(cost);
    for (const [id, expected] of Object.entries(runs)) expect([id, analysis.cost.per_node[id]!.runs]).toEqual([id, expected]);
  });

  it('prices each node with config/costs.yaml: block overrides and LLM models', () => {
    const analysis = analyze(
      [CRON, FETCH(), 'ask: { block: llm.chat, inputs: { model: gpt-x }, credentials: { llm: openai-key } }'],
      ['tick.payload -> fetch.query', 'fetch.body -> ask.prompt'],
      { blocks: { 'http.request': 3 }, models: { 'gpt-x': 7 }, default_model_cost: 2 },
    );
    expect(analysis.cost.per_node.fetch).toEqual({ block: 'http.request', credits: 3, attempts: 1, runs: { min: 1, max: 1 }, min: 3, max: 3 });
    expect(analysis.cost.per_node.ask!.credits).toBe(7);
    expect(analysis.cost).toMatchObject({ min: 10, max: 10 });
  });
});

describe('suggestions', () => {
  it.each([
    {
      name: 'a template that only computes one expression-capable pin',
      nodes: [HOOK, 'make: { block: text.template, inputs: { template: "https://api.example.com/{{ id }}" } }', 'fetch: { block: http.request }'],
      links: ['hook.body -> make.values.id', 'make.text -> fetch.url'],
      expected: [{ kind: 'use-expression', node: 'make', message: expect.stringContaining('only computes fetch.url: write that pin as a ${{ }} expression') }],
    },
    {
      name: 'a URL written in a node',
      nodes: [CRON, FETCH()],
      links: ['tick.payload -> fetch.query'],
      expected: [
        { kind: 'use-vars', node: 'fetch', message: expect.stringContaining('https://api.example.com/rows written in inputs.url: declare it under vars:') },
      ],
    },
    {
      name: 'a paid node per item of a list',
      nodes: [ITEMS, EACH, 'fetch: { block: http.request, inputs: { url: "${{ vars.api }}" } }'],
      links: ['items.value -> each.items', 'each.item -> fetch.json'],
      expected: [
        {
          kind: 'cost-per-item',
          node: 'fetch',
          message: expect.stringContaining('runs once per value "each" yields: the cost grows with the data; batch_size on "each"'),
        },
      ],
    },
    {
      name: 'a node whose outputs go nowhere',
      nodes: [HOOK, 'shape: { block: json.query, inputs: { expression: "$" } }'],
      links: ['hook.body -> shape.data'],
      expected: [
        {
          kind: 'unused-node',
          node: 'shape',
          message: 'node "shape" (json.query) has no effect outside and its outputs go nowhere: link them, or remove it (unless it is there to fail the run)',
        },
      ],
    },
    {
      name: 'nothing for a template feeding an output, or a node with effects at the end',
      nodes: [HOOK, 'text: { block: text.template, inputs: { template: "{{ a }}" } }', 'out: { block: output, inputs: { name: out } }', SLACK],
      links: ['hook.body -> text.values.a', 'text.text -> out.value', 'hook.body.note -> post.text'],
      expected: [],
    },
  ])('$name', ({ nodes, links, expected }) => {
    const vars = nodes.some((n) => n.includes('vars.api'));
    const analysis = vars ? analyzeWithVars(nodes, links) : analyze(nodes, links);
    expect(analysis.suggestions).toEqual(expected);
  });
});

function analyzeWithVars(nodes: string[], links: string[]): AgentAnalysis {
  const text = [
    'name: subject',
    'vars: { api: "https://api.example.com" }',
    'nodes:',
    ...nodes.map((n) => `  ${n}`),
    'links:',
    ...links.map((l) => `  - ${l}`),
  ].join('\n');
  const result = validateAgents([parseAgentYaml(text, 'agents/subject.yaml')], { blocks }).results[0]!;
  if (!result.agent) throw new Error(result.problems.map((p) => p.message).join('; '));
  return analyzeAgent(result.agent, { blocks });
}
